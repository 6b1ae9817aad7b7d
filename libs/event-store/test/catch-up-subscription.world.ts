import { CatchUpSubscription, type CatchUpSubscriptionOptions } from '../src/catch-up-subscription.js';
import type { EventStore } from '../src/event-store.port.js';
import { PostgresCheckpointStore } from '../src/postgres/postgres-checkpoint-store.js';
import { postgresStoreForFile } from './postgres-test-pool.js';

export type SubscribeOptions = Partial<CatchUpSubscriptionOptions> & Pick<CatchUpSubscriptionOptions, 'name' | 'handle'>;

export const silentLogger = { log: () => undefined, error: () => undefined };

/**
 * What the catch-up subscription tests run against, for one test file: a PostgreSQL event store and checkpoint store
 * on a database of its own, and `subscribe`, which makes a subscription that loads its checkpoint there and logs
 * nothing (`defaults`, then the test's options, may say otherwise); every subscription is stopped after its test.
 */
export function catchUpWorldForFile(prefix: string, poolSize: number, defaults: Partial<CatchUpSubscriptionOptions> = {}) {
  const postgres = postgresStoreForFile(prefix, poolSize);
  let checkpoints: PostgresCheckpointStore | undefined;
  const running: CatchUpSubscription[] = [];

  beforeAll(async () => {
    checkpoints = await PostgresCheckpointStore.create(postgres.pool);
  });
  afterEach(async () => {
    await Promise.all(running.splice(0).map((subscription) => subscription.stop()));
  });

  const checkpointStore = () => {
    if (!checkpoints) throw new Error('the checkpoint store opens in beforeAll');
    return checkpoints;
  };
  return {
    get pool() {
      return postgres.pool;
    },
    get store() {
      return postgres.store;
    },
    get checkpoints() {
      return checkpointStore();
    },
    /** A subscription reading `source` (the store, or a wrapper of it that a test controls), not yet started. */
    subscribe(options: SubscribeOptions, source: EventStore = postgres.store): CatchUpSubscription {
      const loadFrom = checkpointStore();
      const subscription = new CatchUpSubscription(source, { loadCheckpoint: () => loadFrom.load(options.name), logger: silentLogger, ...defaults, ...options });
      running.push(subscription);
      return subscription;
    },
  };
}
