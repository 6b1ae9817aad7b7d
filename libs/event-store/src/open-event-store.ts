import { EventStoreDBClient } from '@eventstore/db-client';
import pg from 'pg';
import type { EventStore } from './event-store.port.js';
import type { AuditLog } from './hash-chain/audit-log.js';
import { EventStoreDbEventStore } from './eventstoredb/eventstoredb-event-store.js';
import { PostgresAuditLog } from './postgres/postgres-audit-log.js';
import { PostgresEventStore } from './postgres/postgres-event-store.js';

export interface EventStoreSettings {
  /** PostgreSQL connection string: the default backend. */
  postgresUrl: string;
  poolSize?: number;
  /**
   * EventStoreDB / KurrentDB connection string, e.g. `esdb://localhost:2113?tls=false`: when given, events live
   * there instead of in PostgreSQL (which still holds the read models and their checkpoints).
   */
  eventStoreDbUrl?: string | null;
}

export interface OpenedEventStore {
  store: EventStore;
  /** The hash chain's verify, export and anchors; null for EventStoreDB, whose events carry their hashes in metadata. */
  audit: AuditLog | null;
  close(): Promise<void>;
}

/** The one place that picks and builds the event store backend from settings. */
export async function openEventStore(settings: EventStoreSettings): Promise<OpenedEventStore> {
  if (settings.eventStoreDbUrl) return openEventStoreDb(settings.eventStoreDbUrl);
  const pool = new pg.Pool({ connectionString: settings.postgresUrl, max: settings.poolSize ?? 10 });
  // An idle client that loses its connection (database restart) must not crash the process.
  pool.on('error', () => undefined);
  const store = await PostgresEventStore.create(pool);
  return {
    store,
    audit: new PostgresAuditLog(pool),
    async close() {
      await store.close();
      await pool.end();
    },
  };
}

/** Fails at start-up, not at the first request, when the server cannot be reached. */
async function openEventStoreDb(connectionString: string): Promise<OpenedEventStore> {
  const client = EventStoreDBClient.connectionString(connectionString);
  const store = new EventStoreDbEventStore(client);
  try {
    await store.readStream('ledger-connection-check');
  } catch (error) {
    await client.dispose();
    throw new Error(`EventStoreDB at ${withoutCredentials(connectionString)} cannot be read: ${(error as Error).message}`, { cause: error });
  }
  return {
    store,
    audit: null,
    async close() {
      await store.close();
      await client.dispose();
    },
  };
}

function withoutCredentials(connectionString: string): string {
  return connectionString.replace(/\/\/[^@/]*@/, '//');
}
