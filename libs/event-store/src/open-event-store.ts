import { EventStoreDBClient } from '@eventstore/db-client';
import pg from 'pg';
import { ERASED, personalDataOf } from '#domain';
import type { EventStore } from './event-store.port.js';
import type { AuditLog } from './hash-chain/audit-log.js';
import { EventStoreDbEventStore } from './eventstoredb/eventstoredb-event-store.js';
import { PostgresAuditLog } from './postgres/postgres-audit-log.js';
import { PostgresEventStore } from './postgres/postgres-event-store.js';
import { PersonalDataEventStore } from './personal-data/personal-data-event-store.js';
import { PersonalDataProtection } from './personal-data/personal-data-protection.js';
import { PostgresCustomerKeys } from './personal-data/postgres-customer-keys.js';
import { IDLE_CONNECTION_MS } from './pool-settings.js';
import { SharedTailEventStore } from './shared-tail/shared-tail-event-store.js';

export interface EventStoreSettings {
  /** PostgreSQL connection string: the default backend. */
  postgresUrl: string;
  poolSize?: number;
  /**
   * EventStoreDB / KurrentDB connection string, e.g. `esdb://localhost:2113?tls=false`: when given, events live
   * there instead of in PostgreSQL (which still holds the read models and their checkpoints).
   */
  eventStoreDbUrl?: string | null;
  /**
   * Whether the process's subscriptions share one reader of the end of the log (see SharedTailEventStore); default
   * true. Off only to measure what it saves.
   */
  sharedTail?: boolean;
}

export interface OpenedEventStore {
  store: EventStore;
  /** The hash chain's verify, export and anchors; null for EventStoreDB, whose events carry their hashes in metadata. */
  audit: AuditLog | null;
  /** Customers' keys and the sealing of their personal data (issue 15): `store` seals and opens through it. */
  personalData: PersonalDataProtection;
  close(): Promise<void>;
}

/** The one place that picks and builds the event store backend from settings. */
export async function openEventStore(settings: EventStoreSettings): Promise<OpenedEventStore> {
  if (settings.eventStoreDbUrl) return openEventStoreDb(settings.eventStoreDbUrl, settings.postgresUrl, settings.sharedTail ?? true);
  const pool = new pg.Pool({ connectionString: settings.postgresUrl, max: settings.poolSize ?? 10, idleTimeoutMillis: IDLE_CONNECTION_MS });
  // An idle client that loses its connection (database restart) must not crash the process.
  pool.on('error', () => undefined);
  const postgres = await PostgresEventStore.create(pool);
  const store = withSharedTail(postgres, settings.sharedTail ?? true);
  const personalData = await openPersonalData(pool, true);
  return {
    store: new PersonalDataEventStore(store, personalData),
    audit: new PostgresAuditLog(pool),
    personalData,
    async close() {
      await store.close();
      await personalData.keys.close();
      await pool.end();
    },
  };
}

/**
 * Under the personal data: the window of the end of the log holds sealed events, so an erasure needs nothing of it
 * (each read opens them with the keys there are then). Closing it closes the store underneath.
 */
function withSharedTail(store: EventStore, shared: boolean): EventStore {
  return shared ? new SharedTailEventStore(store) : store;
}

/** The key table stays in PostgreSQL whichever backend holds the events, beside the read models. */
async function openPersonalData(pool: pg.Pool, hasEventsTable: boolean): Promise<PersonalDataProtection> {
  const keys = await PostgresCustomerKeys.open(pool, { hasEventsTable });
  return new PersonalDataProtection(keys, { locate: personalDataOf, erased: ERASED });
}

/** Fails at start-up, not at the first request, when the server cannot be reached. */
async function openEventStoreDb(connectionString: string, postgresUrl: string, sharedTail: boolean): Promise<OpenedEventStore> {
  const client = EventStoreDBClient.connectionString(connectionString);
  const store = withSharedTail(new EventStoreDbEventStore(client), sharedTail);
  try {
    await store.readStream('ledger-connection-check');
  } catch (error) {
    await client.dispose();
    throw new Error(`EventStoreDB at ${withoutCredentials(connectionString)} cannot be read: ${(error as Error).message}`, { cause: error });
  }
  const keysPool = new pg.Pool({ connectionString: postgresUrl, max: 2, idleTimeoutMillis: IDLE_CONNECTION_MS });
  keysPool.on('error', () => undefined);
  const personalData = await openPersonalData(keysPool, false).catch(async (error: unknown) => {
    await Promise.all([client.dispose(), keysPool.end()]);
    throw error;
  });
  return {
    store: new PersonalDataEventStore(store, personalData),
    audit: null,
    personalData,
    async close() {
      await store.close();
      await client.dispose();
      await personalData.keys.close();
      await keysPool.end();
    },
  };
}

function withoutCredentials(connectionString: string): string {
  return connectionString.replace(/\/\/[^@/]*@/, '//');
}
