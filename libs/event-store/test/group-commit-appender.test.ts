import pg from 'pg';
import { WrongExpectedRevisionError } from '../src/event-store.port.js';
import { GroupCommitAppender, GroupCommitFullError } from '../src/group-commit-appender.js';
import { PostgresEventStore } from '../src/postgres/postgres-event-store.js';
import { createTestDatabase, type TestDatabase } from '#test-support/test-database';
import { eventually } from '#test-support/eventually';
import { newEvent, uniquePrefix } from './event-store.fixtures.js';
import { testPool } from './postgres-test-pool.js';

/** Group commit on PostgreSQL: concurrent appends share transactions, each caller hears only its own outcome, after its commit. */
let database: TestDatabase;
let pool: pg.Pool;
let store: PostgresEventStore;
let observer: pg.Pool;

beforeAll(async () => {
  database = await createTestDatabase('group_commit');
  pool = testPool(database.url, 6);
  store = await PostgresEventStore.create(pool, { pollIntervalMs: 60_000 });
  observer = testPool(database.url, 2);
});
afterAll(async () => {
  await observer.end();
  await store.close();
  await pool.end();
  await database.drop();
});

/** Seen from another connection: only what has committed. */
const committedEvents = async (prefix: string): Promise<number> =>
  Number((await observer.query<{ count: string }>('SELECT count(*) FROM events WHERE stream_name LIKE $1', [`${prefix}%`])).rows[0].count);

test('concurrent appends share transactions, and each answer comes after its own commit', async () => {
  const prefix = uniquePrefix();
  const appender = new GroupCommitAppender(store, { maxBatch: 50, maxQueued: 1_000, maxInFlight: 2 });
  const committedAtAnswer: number[] = [];

  const results = await Promise.all(
    Array.from({ length: 200 }, async (_, index) => {
      const result = await appender.append({ streamName: `${prefix}${index}`, events: [newEvent()], expectedRevision: 'no_stream' });
      committedAtAnswer.push(Number((await observer.query('SELECT count(*) FROM events WHERE stream_name = $1', [`${prefix}${index}`])).rows[0].count));
      return result;
    }),
  );

  expect(committedAtAnswer).toEqual(results.map(() => 1));
  const transactions = new Set(results.map((result) => result.position.split(':')[0]));
  expect(transactions.size).toBeLessThan(200);
  expect(await committedEvents(prefix)).toBe(200);
});

test('a refused append rejects its own caller only; the same delivery twice is stored once', async () => {
  const prefix = uniquePrefix();
  const appender = new GroupCommitAppender(store, { maxBatch: 50, maxQueued: 1_000, maxInFlight: 1 });
  const fact = () => appender.append({ streamName: `${prefix}fact`, events: [newEvent()], expectedRevision: 'no_stream' });

  const outcomes = await Promise.allSettled([fact(), appender.append({ streamName: `${prefix}other`, events: [newEvent()] }), fact(), fact()]);

  expect(outcomes.map((outcome) => outcome.status)).toEqual(['fulfilled', 'fulfilled', 'rejected', 'rejected']);
  expect((outcomes[2] as PromiseRejectedResult).reason).toBeInstanceOf(WrongExpectedRevisionError);
  expect(await committedEvents(prefix)).toBe(2);
});

test('a full queue refuses at once, and everything queued is stored once the store moves again', async () => {
  const prefix = uniquePrefix();
  const appender = new GroupCommitAppender(store, { maxBatch: 10, maxQueued: 3, maxInFlight: 1 });
  // Another transaction holds the first stream's row: the appender's first transaction waits for it.
  const blocker = new pg.Client(database.url);
  await blocker.connect();
  await blocker.query('BEGIN');
  await blocker.query(`INSERT INTO streams (stream_name, revision, last_transaction_id) VALUES ($1, -1, pg_current_xact_id())`, [`${prefix}blocked`]);
  const blocked = appender.append({ streamName: `${prefix}blocked`, events: [newEvent()] });
  await eventually(async () => expect((await observer.query(`SELECT count(*) FROM pg_locks WHERE NOT granted`)).rows[0].count).not.toBe('0'), 10_000, 20);
  const queued = [1, 2, 3].map((index) => appender.append({ streamName: `${prefix}${index}`, events: [newEvent()] }));

  await expect(appender.append({ streamName: `${prefix}4`, events: [newEvent()] })).rejects.toBeInstanceOf(GroupCommitFullError);
  expect(appender.queued).toBe(3);
  await blocker.query('ROLLBACK');
  await blocker.end();

  await Promise.all([blocked, ...queued]);
  expect(await committedEvents(prefix)).toBe(4);
  expect(appender.queued).toBe(0);
});
