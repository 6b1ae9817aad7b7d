import { resolve } from 'node:path';
import { startEmbeddedPostgres } from '#database';
import { type EventStore, openEventStore } from '#event-store';
import { Projector, openReadModel, readModelStreamPrefixes } from '#projections';

/** What a CLI closes when it is done, last opened first. */
export type CliCleanup = (() => Promise<unknown>)[];

/**
 * The ledger's storage for a CLI that runs without a ledger (`npm run drift`, `calcom:connect` without `LEDGER_URL`):
 * the database at `DATABASE_URL` (or the embedded one under `DATA_DIR`, only while the ledger is stopped), its event
 * store, and its read models brought up to date, since the ledger may have been stopped with them behind.
 * Each part it opens is pushed onto `cleanup`, so that the caller closes what did open when a later step fails.
 */
export async function openCliStorage(env: NodeJS.ProcessEnv, cleanup: CliCleanup) {
  let databaseUrl = env.DATABASE_URL || null;
  if (!databaseUrl) {
    const embedded = await startEmbeddedPostgres({ dataDir: resolve(env.DATA_DIR ?? './.data') });
    cleanup.push(() => embedded.stop());
    databaseUrl = embedded.url;
  }
  const eventStore = await openEventStore({ postgresUrl: databaseUrl });
  cleanup.push(() => eventStore.close());
  const readModel = await openReadModel(databaseUrl);
  cleanup.push(() => readModel.destroy());
  const projector = new Projector(eventStore.store, readModel, { logger: { log: () => undefined, error: () => undefined } });
  await projector.start();
  cleanup.push(() => projector.stop());
  await catchUpReadModels(eventStore.store, projector);
  return { store: eventStore.store, readModel, projector };
}

/** Waits until the projector has handled every event the read models follow that the store holds now. */
export async function catchUpReadModels(store: EventStore, projector: Projector): Promise<void> {
  for (;;) {
    const next = await store.readAll({ after: projector.position, limit: 1, streamPrefixes: [...readModelStreamPrefixes] });
    if (next.events.length === 0) return;
    await projector.waitUntilProcessed(next.events[0].position, 120_000);
  }
}
