import { EventStoreDBClient } from '@eventstore/db-client';
import pg from 'pg';
import type { EventStore } from '../event-store.port.js';
import { EventStoreDbEventStore } from '../eventstoredb/eventstoredb-event-store.js';
import { PostgresEventStore } from '../postgres/postgres-event-store.js';
import type { CopyTarget } from './copy-target.js';
import { PostgresCopyTarget } from './postgres-copy-target.js';

export type Backend = 'postgres' | 'eventstoredb';

export interface Opened<T> {
  value: T;
  close(): Promise<void>;
}

export class UnsupportedStoreUrlError extends Error {
  constructor(url: string) {
    super(`${withoutCredentials(url)}: expected postgres://, postgresql://, esdb:// or esdb+discover://`);
    this.name = 'UnsupportedStoreUrlError';
  }
}

/** The backend a connection string points at, by its scheme. */
export function backendOf(url: string): Backend {
  const scheme = /^([a-z+]+):\/\//i.exec(url)?.[1].toLowerCase();
  if (scheme === 'postgres' || scheme === 'postgresql') return 'postgres';
  if (scheme === 'esdb' || scheme === 'esdb+discover') return 'eventstoredb';
  throw new UnsupportedStoreUrlError(url);
}

/** For logs and the checkpoint file: the URL without user and password. */
export function withoutCredentials(url: string): string {
  return url.replace(/\/\/[^@/]*@/, '//');
}

/** The source is only read: its schema is neither created nor migrated. */
export async function openCopySource(url: string): Promise<Opened<EventStore>> {
  if (backendOf(url) === 'eventstoredb') {
    const client = EventStoreDBClient.connectionString(url);
    return { value: new EventStoreDbEventStore(client), close: () => client.dispose() };
  }
  const pool = new pg.Pool({ connectionString: url, max: 2 });
  pool.on('error', () => undefined);
  const store = new PostgresEventStore(pool);
  return { value: store, close: async () => (await store.close(), await pool.end()) };
}

export async function openCopyTarget(url: string): Promise<Opened<CopyTarget>> {
  if (backendOf(url) === 'eventstoredb') {
    const client = EventStoreDBClient.connectionString(url);
    const store = new EventStoreDbEventStore(client);
    const target: CopyTarget = {
      appendCopied: async (streamName, events) => void (await store.appendCopied(streamName, events)),
      // The recording times travel with each event (see EventStoreDbEventStore.appendCopied).
      completeBatch: async () => undefined,
    };
    return { value: target, close: () => client.dispose() };
  }
  const pool = new pg.Pool({ connectionString: url, max: 2 });
  pool.on('error', () => undefined);
  const store = await PostgresEventStore.create(pool);
  return { value: new PostgresCopyTarget(store, pool), close: async () => (await store.close(), await pool.end()) };
}
