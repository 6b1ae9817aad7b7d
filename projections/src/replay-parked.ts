import 'reflect-metadata';
import { resolve } from 'node:path';
import { startEmbeddedPostgres, type EmbeddedDatabase } from '../../libs/database/src/embedded-postgres.js';
import { openEventStore } from '../../libs/event-store/src/open-event-store.js';
import { openReadModel } from './read-model.data-source.js';
import { rewindToParkedEvents } from './replay-parked-events.js';

/**
 * `npm run subscriptions:replay-parked -- <subscription>`: after a fix, makes `calcom-sync`,
 * `calcom-webhook-translator` or `notification-webhook` handle its parked events again on the app's next start.
 * Stop the app first (it refuses while an instance runs the background workers). For `read-models`, run
 * `npm run projections:rebuild`. Database as for the rebuild: DATABASE_URL, or the embedded one under DATA_DIR.
 */
async function main(): Promise<void> {
  const subscription = process.argv[2];
  if (!subscription) throw new Error('Name the subscription: calcom-sync, calcom-webhook-translator or notification-webhook');
  let embedded: EmbeddedDatabase | null = null;
  let databaseUrl = process.env.DATABASE_URL || null;
  if (!databaseUrl) {
    embedded = await startEmbeddedPostgres({ dataDir: resolve(process.env.DATA_DIR ?? './.data') });
    databaseUrl = embedded.url;
  }
  const eventStore = await openEventStore({ postgresUrl: databaseUrl, eventStoreDbUrl: process.env.EVENTSTORE_URL || null });
  try {
    const readModel = await openReadModel(databaseUrl);
    try {
      const plan = await rewindToParkedEvents(eventStore.store, readModel, subscription);
      console.log(
        plan.resumeFrom === null
          ? `${subscription} has no parked events`
          : `${subscription} will replay its ${plan.events} parked event(s) from ${plan.resumeFrom} when the app starts`,
      );
    } finally {
      await readModel.destroy();
    }
  } finally {
    await eventStore.close();
    await embedded?.stop();
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  },
);
