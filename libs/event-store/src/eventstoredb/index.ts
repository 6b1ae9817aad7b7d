export { EventStoreDbEventStore, type EventStoreDbEventStoreOptions } from './eventstoredb-event-store.js';
export { InvalidEventStoreDbPositionError } from './eventstoredb-position.js';
export { UnreadableEventError } from './eventstoredb-metadata.js';
