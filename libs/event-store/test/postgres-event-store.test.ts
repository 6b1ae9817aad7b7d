import type pg from 'pg';
import { START } from '../src/event-store.port.js';
import { PostgresEventStore } from '../src/postgres/postgres-event-store.js';
import { migrateEventStore, UNCHAINED_APPEND_TO_STREAM } from '../src/postgres/postgres-event-store.schema.js';
import { InvalidPositionError } from '../src/postgres/postgres-position.js';
import { createTestDatabase, type TestDatabase } from '#test-support/test-database';
import { eventually } from '#test-support/eventually';
import { describeEventStoreContract } from './event-store.contract.js';
import { newEvent, newEvents, readAllOnceVisible, readAllPages, uniquePrefix } from './event-store.fixtures.js';
import { testPool } from './postgres-test-pool.js';

let database: TestDatabase;
let pool: pg.Pool;

beforeAll(async () => {
  database = await createTestDatabase('event_store');
  pool = testPool(database.url, 12);
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
    const other = uniquePrefix();
    const { position: lastOther } = await store.appendToStream(`${other}1`, newEvents(5));
    await readAllOnceVisible(store, [other], 5);

    const { events, position } = await readAllPages(store, { streamPrefixes: [prefix] });

    expect(events).toEqual([]);
    expect(store.comparePositions(position, lastOther)).toBeGreaterThanOrEqual(0);
  });

  test('a waiting reader wakes on the append notification, long before its poll interval', async () => {
    const reader = readerOnOwnPool('notified-reader', 60_000);
    try {
      const { position } = await readAllPages(reader.store);
      const waiting = reader.store.waitForEventsAfter(position);
      await reader.hasCheckedForEvents();

      await store.appendToStream(`appointment-${crypto.randomUUID()}`, [newEvent()]);

      await waiting;
    } finally {
      await reader.close();
    }
  });

  test('the first append after a quiet spell carries its notification in its own transaction', async () => {
    const writer = new PostgresEventStore(pool, { notifyIntervalMs: 600_000 });
    const reader = readerOnOwnPool('carried-notification-reader', 600_000);
    try {
      const { position } = await readAllPages(reader.store);
      const waiting = reader.store.waitForEventsAfter(position);
      await reader.hasCheckedForEvents();

      await writer.appendToStream(`appointment-${crypto.randomUUID()}`, [newEvent()]);

      await waiting;
    } finally {
      await reader.close();
      await writer.close();
    }
  });

  test('an append made while the previous notification is fresh still wakes a reader in another process, by a notification of its own afterwards', async () => {
    const writer = new PostgresEventStore(pool, { notifyIntervalMs: 1_000 });
    const reader = readerOnOwnPool('owed-notification-reader', 600_000);
    try {
      const { position } = await writer.appendToStream(`appointment-${crypto.randomUUID()}`, [newEvent()]);
      const waiting = reader.store.waitForEventsAfter(position);
      await reader.hasCheckedForEvents();

      await writer.appendToStream(`appointment-${crypto.randomUUID()}`, [newEvent()]);

      await waiting;
    } finally {
      await reader.close();
      await writer.close();
    }
  });

  test('a waiting reader also wakes, by polling, when events become readable without a notification', async () => {
    const reader = readerOnOwnPool('polling-reader', 20);
    const prefix = uniquePrefix();
    const slow = await pool.connect();
    try {
      const { position } = await readAllPages(reader.store);
      await slow.query('BEGIN');
      // Written straight into the table: a commit that sends no notification, as when a slow transaction ends.
      await slow.query(`INSERT INTO events (event_id, stream_name, revision, type, data, metadata) VALUES ($1, $2, 0, 'AppointmentNoted', '{}', '{}')`, [
        crypto.randomUUID(),
        `${prefix}1`,
      ]);
      const waiting = reader.store.waitForEventsAfter(position);
      await reader.hasCheckedForEvents();

      await slow.query('COMMIT');

      await waiting;
      expect((await reader.store.readAll({ after: position, streamPrefixes: [prefix] })).events).toHaveLength(1);
    } finally {
      slow.release();
      await reader.close();
    }
  });

  test('a reader whose events an older transaction holds back reads them as soon as it ends, not after the poll interval', async () => {
    const reader = readerOnOwnPool('held-back-reader', 60_000);
    const older = await pool.connect();
    try {
      const { position } = await readAllPages(reader.store);
      await older.query('BEGIN');
      // An xid, as a subscription's checkpoint write has one: appends committed after it wait behind it (readAll's horizon).
      await older.query('SELECT pg_current_xact_id()');
      // Committed straight into the table, with no notification that could wake the reader later by chance.
      await pool.query(`INSERT INTO events (event_id, stream_name, revision, type, data, metadata) VALUES ($1, $2, 0, 'AppointmentNoted', '{}', '{}')`, [
        crypto.randomUUID(),
        `${uniquePrefix()}1`,
      ]);
      let woke = false;
      const waiting = reader.store.waitForEventsAfter(position).then(() => (woke = true));
      await reader.hasCheckedForEvents();
      expect(woke).toBe(false);

      await older.query('COMMIT');

      // Well inside the 60 s poll interval: nothing but the reader's own prompt look-again can wake it.
      await eventually(() => expect(woke).toBe(true), 5_000);
      await waiting;
    } finally {
      older.release();
      await reader.close();
    }
  });

  test('close ends waits in progress', async () => {
    const closing = await PostgresEventStore.create(pool, { pollIntervalMs: 60_000 });
    const { position } = await readAllPages(closing);
    const waiting = closing.waitForEventsAfter(position);

    await closing.close();

    await expect(waiting).resolves.toBeUndefined();
  });

  test('an append whose ids are only partly stored is refused and leaves the stream as it was', async () => {
    const name = `appointment-${crypto.randomUUID()}`;
    const [stored, fresh] = newEvents(2);
    await store.appendToStream(name, [stored]);

    await expect(store.appendToStream(name, [fresh, stored])).rejects.toMatchObject({ name: 'DuplicateEventIdError' });
    await expect(store.appendToStream(`appointment-${crypto.randomUUID()}`, [fresh, stored])).rejects.toMatchObject({ name: 'DuplicateEventIdError' });

    expect((await store.readStream(name)).map((event) => event.id)).toEqual([stored.id]);
    const { rows } = await pool.query('SELECT count(*)::int AS count FROM events WHERE event_id = $1', [fresh.id]);
    expect(rows[0].count).toBe(0);
    expect(await store.appendToStream(name, [fresh], { expectedRevision: 0 })).toMatchObject({ nextExpectedRevision: 1 });
  });

  test('an id stored in another stream is refused under an exact expectation too, and the new stream is not created', async () => {
    const [stored] = newEvents(1);
    await store.appendToStream(`appointment-${crypto.randomUUID()}`, [stored]);
    const name = `appointment-${crypto.randomUUID()}`;

    await expect(store.appendToStream(name, [newEvents(1)[0], stored], { expectedRevision: 'no_stream' })).rejects.toMatchObject({
      name: 'DuplicateEventIdError',
      eventId: stored.id,
    });

    expect(await store.readStream(name)).toEqual([]);
    expect(await store.appendToStream(name, [], { expectedRevision: 'no_stream' })).toEqual({ nextExpectedRevision: -1, position: START });
  });

  test('appends of the same ids racing into two new streams: one lands, the other is refused as a duplicate', async () => {
    const events = newEvents(3);
    const names = [`appointment-${crypto.randomUUID()}`, `appointment-${crypto.randomUUID()}`];

    const outcomes = await Promise.allSettled(names.map((name) => store.appendToStream(name, events)));

    expect(outcomes.filter((outcome) => outcome.status === 'fulfilled')).toHaveLength(1);
    const refused = outcomes.find((outcome) => outcome.status === 'rejected');
    expect(refused).toMatchObject({ reason: { name: 'DuplicateEventIdError' } });
    const { rows } = await pool.query('SELECT count(*)::int AS count FROM events WHERE event_id = ANY($1::uuid[])', [events.map((event) => event.id)]);
    expect(rows[0].count).toBe(3);
  });

  test('writers racing to create one stream with any expectation all land, one after the other, chained', async () => {
    const name = `appointment-${crypto.randomUUID()}`;
    const racers = newEvents(8);

    const results = await Promise.all(racers.map((event) => store.appendToStream(name, [event])));

    expect(results.map((result) => result.nextExpectedRevision).sort()).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    const { rows } = await pool.query<{ revision: string; hash: string | null; head: string }>(
      `SELECT e.revision, e.hash, s.last_hash AS head FROM events e JOIN streams s USING (stream_name) WHERE stream_name = $1 ORDER BY revision`,
      [name],
    );
    expect(rows.map((row) => Number(row.revision))).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(rows.every((row) => row.hash !== null)).toBe(true);
    expect(rows[7].head).toBe(rows[7].hash);
  });

  test('migrating a ledger whose append function is another version installs the chained one', async () => {
    await pool.query(UNCHAINED_APPEND_TO_STREAM);
    await migrateEventStore(pool);
    const name = `appointment-${crypto.randomUUID()}`;

    await store.appendToStream(name, [newEvent()]);

    const { rows } = await pool.query('SELECT hash FROM events WHERE stream_name = $1', [name]);
    expect(rows[0].hash).toMatch(/^[0-9a-f]{64}$/);
  });

  test('an empty append checks the expectation and reports where the stream is', async () => {
    const name = `appointment-${crypto.randomUUID()}`;
    expect(await store.appendToStream(name, [], { expectedRevision: 'no_stream' })).toEqual({ nextExpectedRevision: -1, position: START });
    const appended = await store.appendToStream(name, newEvents(2));

    expect(await store.appendToStream(name, [], { expectedRevision: 1 })).toEqual(appended);
    await expect(store.appendToStream(name, [], { expectedRevision: 'no_stream' })).rejects.toMatchObject({ actual: 1 });
  });
});

/**
 * A store on its own one-connection pool with a recognisable application_name, so that pg_stat_activity tells
 * when its waitForEventsAfter has looked for events (and found none): only then is a wake-up attributable.
 */
function readerOnOwnPool(applicationName: string, pollIntervalMs: number) {
  const readerPool = testPool(database.url, 1, applicationName);
  const reader = new PostgresEventStore(readerPool, { pollIntervalMs });
  return {
    store: reader,
    hasCheckedForEvents: () =>
      eventually(async () => {
        const { rows } = await pool.query('SELECT 1 FROM pg_stat_activity WHERE application_name = $1 AND query LIKE $2', [applicationName, '%first_after%']);
        expect(rows).toHaveLength(1);
      }),
    async close() {
      await reader.close();
      await readerPool.end();
    },
  };
}
