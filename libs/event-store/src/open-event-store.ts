import pg from 'pg';
import type { EventStore } from './event-store.port.js';
import { PostgresEventStore } from './postgres/postgres-event-store.js';

export interface EventStoreSettings {
  /** PostgreSQL connection string: the default backend. */
  postgresUrl: string;
  poolSize?: number;
}

export interface OpenedEventStore {
  store: EventStore;
  close(): Promise<void>;
}

/** The one place that picks and builds the event store backend from settings. */
export async function openEventStore(settings: EventStoreSettings): Promise<OpenedEventStore> {
  const pool = new pg.Pool({ connectionString: settings.postgresUrl, max: settings.poolSize ?? 10 });
  // An idle client that loses its connection (database restart) must not crash the process.
  pool.on('error', () => undefined);
  const store = await PostgresEventStore.create(pool);
  return {
    store,
    async close() {
      await store.close();
      await pool.end();
    },
  };
}
