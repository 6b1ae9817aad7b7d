export { PostgresEventStore, type PostgresEventStoreOptions } from './postgres-event-store.js';
export { migrateEventStore } from './postgres-event-store.schema.js';
export { PostgresCheckpointStore, migrateCheckpoints, type Queryable } from './postgres-checkpoint-store.js';
export { InvalidPositionError } from './postgres-position.js';
