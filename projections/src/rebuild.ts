import 'reflect-metadata';
import { resolve } from 'node:path';
import { startEmbeddedPostgres, type EmbeddedDatabase } from '../../libs/database/src/embedded-postgres.js';
import { openEventStore } from '../../libs/event-store/src/open-event-store.js';
import { openReadModel } from './read-model.data-source.js';
import { rebuildReadModels } from './rebuild-read-models.js';

/**
 * `npm run projections:rebuild`: rebuilds every read model from the event store's first event and exits.
 * Uses DATABASE_URL, or without it the embedded PostgreSQL under DATA_DIR (default ./.data), which only one
 * process can hold: stop the app first in that case. Against DATABASE_URL the app may keep running.
 * With EVENTSTORE_URL the events are read from EventStoreDB, as the app does.
 */
async function main(): Promise<void> {
  const started = Date.now();
  let embedded: EmbeddedDatabase | null = null;
  let databaseUrl = process.env.DATABASE_URL || null;
  if (!databaseUrl) {
    const dataDir = resolve(process.env.DATA_DIR ?? './.data');
    log(`No DATABASE_URL: using the embedded PostgreSQL in ${dataDir}/postgres`);
    embedded = await startEmbeddedPostgres({ dataDir }).catch((error: unknown) => {
      throw new Error(
        `Could not start the embedded PostgreSQL in ${dataDir}/postgres${error instanceof Error ? ` (${error.message})` : ''}. ` +
          'Only one process can hold it: stop the app first, or point DATABASE_URL at the server the app uses.',
      );
    });
    databaseUrl = embedded.url;
  }
  // The events may live in EventStoreDB (EVENTSTORE_URL); the read models are always in PostgreSQL.
  const eventStore = await openEventStore({ postgresUrl: databaseUrl, eventStoreDbUrl: process.env.EVENTSTORE_URL || null });
  try {
    const readModel = await openReadModel(databaseUrl);
    try {
      let reported = 0;
      const result = await rebuildReadModels(eventStore.store, readModel, {
        onProgress: (events) => {
          if (events - reported < 100_000) return;
          reported = events;
          log(`${events} events applied`);
        },
      });
      const seconds = (Date.now() - started) / 1000;
      log(`Rebuilt the read models from ${result.eventsApplied} events in ${seconds.toFixed(1)} s (position ${result.position})`);
      for (const event of result.parked) log(`Parked ${event.eventType} of ${event.streamName} at ${event.position}: ${event.error}`);
    } finally {
      await readModel.destroy();
    }
  } finally {
    await eventStore.close();
    await embedded?.stop();
  }
}

function log(message: string): void {
  console.log(JSON.stringify({ time: new Date().toISOString(), context: 'projections:rebuild', message }));
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  },
);
