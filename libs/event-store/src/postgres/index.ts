export { PostgresEventStore, type PostgresEventStoreOptions } from './postgres-event-store.js';
export { migrateEventStore, UNCHAINED_APPEND_TO_STREAM } from './postgres-event-store.schema.js';
export { PostgresCustomerKeys } from '../personal-data/postgres-customer-keys.js';
export { PostgresCheckpointStore, migrateCheckpoints, type Queryable } from './postgres-checkpoint-store.js';
export { InvalidPositionError } from './postgres-position.js';
