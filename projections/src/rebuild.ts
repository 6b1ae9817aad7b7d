import 'reflect-metadata';
import { rebuildReadModels } from './rebuild-read-models.js';
import { type StorageSettings, storageSettingsFrom, withStorage } from './read-model-storage.js';

/**
 * `npm run projections:rebuild`: rebuilds every read model from the event store's first event and exits.
 * Uses DATABASE_URL, or without it the embedded PostgreSQL under DATA_DIR (default ./.data), which only one
 * process can hold: stop the app first in that case. Against DATABASE_URL the app may keep running.
 * With EVENTSTORE_URL the events are read from EventStoreDB, as the app does.
 */
async function rebuildCommand(settings: StorageSettings, log: (message: string) => void): Promise<void> {
  const started = Date.now();
  await withStorage(
    settings,
    async (store, readModel) => {
      let reported = 0;
      const result = await rebuildReadModels(store, readModel, {
        onProgress: (events) => {
          if (events - reported < 100_000) return;
          reported = events;
          log(`${events} events applied`);
        },
      });
      const seconds = (Date.now() - started) / 1000;
      log(`Rebuilt the read models from ${result.eventsApplied} events in ${seconds.toFixed(1)} s (position ${result.position})`);
      for (const event of result.parked) log(`Parked ${event.eventType} of ${event.streamName} at ${event.position}: ${event.error}`);
    },
    log,
  );
}

function log(message: string): void {
  console.log(JSON.stringify({ time: new Date().toISOString(), context: 'projections:rebuild', message }));
}

// The entry point, and the only place this command reads the environment.
Promise.resolve()
  .then(() => rebuildCommand(storageSettingsFrom(process.env), log))
  .then(
    () => process.exit(0),
    (error: unknown) => {
      console.error(error instanceof Error ? error.message : error);
      process.exit(1);
    },
  );
