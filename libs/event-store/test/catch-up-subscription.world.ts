import type pg from 'pg';
import { createTestDatabase, type TestDatabase } from '#test-support/test-database';
import { CatchUpSubscription, type CatchUpSubscriptionOptions } from '../src/catch-up-subscription.js';
import type { EventStore } from '../src/event-store.port.js';
import { PostgresCheckpointStore } from '../src/postgres/postgres-checkpoint-store.js';
import { PostgresEventStore } from '../src/postgres/postgres-event-store.js';
import { testPool } from './postgres-test-pool.js';

export type SubscribeOptions = Partial<CatchUpSubscriptionOptions> & Pick<CatchUpSubscriptionOptions, 'name' | 'handle'>;

export const silentLogger = { log: () => undefined, error: () => undefined };

/**
 * What the catch-up subscription tests run against, for one test file: a PostgreSQL event store and checkpoint store
 * on a database of its own, and `subscribe`, which makes a subscription that loads its checkpoint there and logs
 * nothing (`defaults`, then the test's options, may say otherwise); every subscription is stopped after its test.
 */
export function catchUpWorldForFile(prefix: string, poolSize: number, defaults: Partial<CatchUpSubscriptionOptions> = {}) {
  let database: TestDatabase | undefined;
  let started: { pool: pg.Pool; store: PostgresEventStore; checkpoints: PostgresCheckpointStore } | undefined;
  const running: CatchUpSubscription[] = [];

  beforeAll(async () => {
    database = await createTestDatabase(prefix);
    const pool = testPool(database.url, poolSize);
    started = { pool, store: await PostgresEventStore.create(pool), checkpoints: await PostgresCheckpointStore.create(pool) };
  });
  afterEach(async () => {
    await Promise.all(running.splice(0).map((subscription) => subscription.stop()));
  });
  afterAll(async () => {
    await started?.store.close();
    await started?.pool.end();
    await database?.drop();
  });

  const world = () => {
    if (!started) throw new Error('the store opens in beforeAll');
    return started;
  };
  return {
    get pool() {
      return world().pool;
    },
    get store() {
      return world().store;
    },
    get checkpoints() {
      return world().checkpoints;
    },
    /** A subscription reading `source` (the store, or a wrapper of it that a test controls), not yet started. */
    subscribe(options: SubscribeOptions, source: EventStore = world().store): CatchUpSubscription {
      const { checkpoints } = world();
      const subscription = new CatchUpSubscription(source, { loadCheckpoint: () => checkpoints.load(options.name), logger: silentLogger, ...defaults, ...options });
      running.push(subscription);
      return subscription;
    },
  };
}
