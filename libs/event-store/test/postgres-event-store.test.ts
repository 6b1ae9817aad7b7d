import pg from 'pg';
import { START } from '../src/event-store.port.js';
import { PostgresEventStore } from '../src/postgres/postgres-event-store.js';
import { migrateEventStore } from '../src/postgres/postgres-event-store.schema.js';
import { InvalidPositionError } from '../src/postgres/postgres-position.js';
import { createTestDatabase, type TestDatabase } from '../../../test/support/test-database.js';
import { eventually } from '../../../test/support/eventually.js';
import { describeEventStoreContract } from './event-store.contract.js';
import { newEvent, newEvents, readAllOnceVisible, readAllPages, uniquePrefix } from './event-store.fixtures.js';

let database: TestDatabase;
let pool: pg.Pool;

beforeAll(async () => {
  database = await createTestDatabase('event_store');
  pool = new pg.Pool({ connectionString: database.url, max: 12 });
});
afterAll(async () => {
  await pool.end();
  await database.drop();
});

describeEventStoreContract('PostgreSQL', async () => {
  const store = await PostgresEventStore.create(pool);
  return { store, dispose: () => store.close() };
});

describe('PostgreSQL event store specifics', () => {
  let store: PostgresEventStore;
  beforeAll(async () => (store = await PostgresEventStore.create(pool, { pollIntervalMs: 60_000 })));
  afterAll(() => store.close());

  test('migrating again, even concurrently, keeps the schema and its data', async () => {
    const name = `appointment-${crypto.randomUUID()}`;
    await store.appendToStream(name, [newEvent()]);

    await Promise.all([migrateEventStore(pool), migrateEventStore(pool), migrateEventStore(pool)]);

    expect(await store.readStream(name)).toHaveLength(1);
  });

  test('positions are "<transaction id>:<global position>" and foreign ones are refused', async () => {
    const { position } = await store.appendToStream(`appointment-${crypto.randomUUID()}`, [newEvent()]);

    expect(position).toMatch(/^\d+:\d+$/);
    await expect(store.readAll({ after: 'esdb:12/7' })).rejects.toThrow(InvalidPositionError);
  });

  test('all events of one append share a transaction and take consecutive places', async () => {
    const prefix = uniquePrefix();
    await store.appendToStream(`${prefix}1`, newEvents(100));

    const events = await readAllOnceVisible(store, [prefix], 100);

    const places = events.map((event) => event.position.split(':').map(BigInt));
    expect(new Set(places.map(([transaction]) => transaction)).size).toBe(1);
    expect(places.map(([, global]) => global - places[0][1])).toEqual(events.map((_, index) => BigInt(index)));
  });

  test('a filtered read moves its position past the events it filtered out', async () => {
    const prefix = uniquePrefix();
    const { position: lastOther } = await store.appendToStream(`${uniquePrefix()}1`, newEvents(5));
    await readAllOnceVisible(store, [prefix.replace(/-$/, '')], 0);

    const { events, position } = await readAllPages(store, { streamPrefixes: [prefix] });

    expect(events).toEqual([]);
    expect(store.comparePositions(position, lastOther)).toBeGreaterThanOrEqual(0);
  });

  test('a waiting reader wakes on the append notification, well before its poll interval', async () => {
    const { position } = await readAllPages(store);
    const started = Date.now();
    const waiting = store.waitForEventsAfter(position);

    await store.appendToStream(`appointment-${crypto.randomUUID()}`, [newEvent()]);
    await waiting;

    expect(Date.now() - started).toBeLessThan(5_000);
  });

  test('a waiting reader also wakes, by polling, when events become readable without a notification', async () => {
    // Its own pool, named, so that pg_stat_activity tells when the reader has checked and found nothing yet.
    const readerPool = new pg.Pool({ connectionString: database.url, max: 1, application_name: 'polling-reader' });
    const polling = new PostgresEventStore(readerPool, { pollIntervalMs: 20 });
    const slow = await pool.connect();
    try {
      const { position } = await readAllPages(polling);
      await slow.query('BEGIN');
      // Written straight into the table: a commit that sends no notification, as when a slow transaction ends.
      await slow.query(
        `INSERT INTO events (event_id, stream_name, revision, type, data, metadata) VALUES ($1, $2, 0, 'AppointmentNoted', '{}', '{}')`,
        [crypto.randomUUID(), `appointment-${crypto.randomUUID()}`],
      );
      const waiting = polling.waitForEventsAfter(position);
      await eventually(async () => {
        const { rows } = await pool.query(
          "SELECT 1 FROM pg_stat_activity WHERE application_name = 'polling-reader' AND query LIKE '%SELECT EXISTS%'",
        );
        expect(rows).toHaveLength(1);
      });

      await slow.query('COMMIT');

      await waiting;
      expect((await polling.readAll({ after: position })).events).toHaveLength(1);
    } finally {
      slow.release();
      await polling.close();
      await readerPool.end();
    }
  });

  test('close ends waits in progress', async () => {
    const closing = await PostgresEventStore.create(pool, { pollIntervalMs: 60_000 });
    const { position } = await readAllPages(closing);
    const waiting = closing.waitForEventsAfter(position);

    await closing.close();

    await expect(waiting).resolves.toBeUndefined();
  });

  test('an empty append checks the expectation and reports where the stream is', async () => {
    const name = `appointment-${crypto.randomUUID()}`;
    expect(await store.appendToStream(name, [], { expectedRevision: 'no_stream' })).toEqual({ nextExpectedRevision: -1, position: START });
    const appended = await store.appendToStream(name, newEvents(2));

    expect(await store.appendToStream(name, [], { expectedRevision: 1 })).toEqual(appended);
    await expect(store.appendToStream(name, [], { expectedRevision: 'no_stream' })).rejects.toMatchObject({ actual: 1 });
  });
});
