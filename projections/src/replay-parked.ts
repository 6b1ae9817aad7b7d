import 'reflect-metadata';
import { rewindToParkedEvents } from './replay-parked-events.js';
import { type StorageSettings, storageSettingsFrom, withStorage } from './read-model-storage.js';

/**
 * `npm run subscriptions:replay-parked -- <subscription>`: after a fix, makes `calcom-sync`,
 * `calcom-webhook-translator` or `notification-webhook` handle its parked events again on the app's next start.
 * Stop the app first (it refuses while an instance runs the background workers). For `read-models`, run
 * `npm run projections:rebuild`. Database as for the rebuild: DATABASE_URL, or the embedded one under DATA_DIR.
 */
async function replayParkedCommand(settings: StorageSettings, subscription: string | undefined): Promise<void> {
  if (!subscription) throw new Error('Name the subscription: calcom-sync, calcom-webhook-translator or notification-webhook');
  const plan = await withStorage(settings, (store, readModel) => rewindToParkedEvents(store, readModel, subscription));
  console.log(
    plan.resumeFrom === null
      ? `${subscription} has no parked events`
      : `${subscription} will replay its ${plan.events} parked event(s) from ${plan.resumeFrom} when the app starts`,
  );
}

// The entry point, and the only place this command reads the environment and its arguments.
Promise.resolve()
  .then(() => replayParkedCommand(storageSettingsFrom(process.env), process.argv[2]))
  .then(
    () => process.exit(0),
    (error: unknown) => {
      console.error(error instanceof Error ? error.message : error);
      process.exit(1);
    },
  );
