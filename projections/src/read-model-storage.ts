import { resolve } from 'node:path';
import type { DataSource } from 'typeorm';
import { startEmbeddedPostgres, type EmbeddedDatabase } from '#database';
import { type EventStore, openEventStore } from '#event-store';
import { openReadModel } from './read-model.data-source.js';

/** Where the events and the read models are, for the commands in this folder: the app's settings of the same names. */
export interface StorageSettings {
  /** `DATABASE_URL`; null: the embedded PostgreSQL under `dataDir`, which only one process can hold. */
  databaseUrl: string | null;
  /** `DATA_DIR`, default ./.data. */
  dataDir: string;
  /** `EVENTSTORE_URL`: the events in EventStoreDB; the read models are always in PostgreSQL. */
  eventStoreUrl: string | null;
}

/** Read once, by a command's entry point, from the variables apps/ledger/src/config.ts documents. */
export function storageSettingsFrom(env: Readonly<Record<string, string | undefined>>): StorageSettings {
  const eventStoreUrl = env.EVENTSTORE_URL || null;
  if (eventStoreUrl && !/^esdb(\+discover)?:\/\//.test(eventStoreUrl)) {
    throw new Error('EVENTSTORE_URL must start with esdb:// or esdb+discover://, e.g. esdb://localhost:2113?tls=false');
  }
  return { databaseUrl: env.DATABASE_URL || null, dataDir: resolve(env.DATA_DIR ?? './.data'), eventStoreUrl };
}

/** Opens the event store and the read models for `use`, and closes everything after it, however it ends. */
export async function withStorage<T>(
  settings: StorageSettings,
  use: (store: EventStore, readModel: DataSource) => Promise<T>,
  log: (message: string) => void = () => undefined,
): Promise<T> {
  let embedded: EmbeddedDatabase | null = null;
  let databaseUrl = settings.databaseUrl;
  if (!databaseUrl) {
    const { dataDir } = settings;
    log(`No DATABASE_URL: using the embedded PostgreSQL in ${dataDir}/postgres`);
    embedded = await startEmbeddedPostgres({ dataDir }).catch((error: unknown) => {
      throw new Error(
        `Could not start the embedded PostgreSQL in ${dataDir}/postgres${error instanceof Error ? ` (${error.message})` : ''}. ` +
          'Only one process can hold it: stop the app first, or point DATABASE_URL at the server the app uses.',
      );
    });
    databaseUrl = embedded.url;
  }
  try {
    const eventStore = await openEventStore({ postgresUrl: databaseUrl, eventStoreDbUrl: settings.eventStoreUrl });
    try {
      const readModel = await openReadModel(databaseUrl);
      try {
        return await use(eventStore.store, readModel);
      } finally {
        await readModel.destroy();
      }
    } finally {
      await eventStore.close();
    }
  } finally {
    await embedded?.stop();
  }
}
