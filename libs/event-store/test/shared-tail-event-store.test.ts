import { EventStoreDBClient } from '@eventstore/db-client';
import type pg from 'pg';
import { START, type EventStore, type Position, type ReadAllOptions } from '../src/event-store.port.js';
import { EventStoreDbEventStore } from '../src/eventstoredb/eventstoredb-event-store.js';
import { PostgresEventStore } from '../src/postgres/postgres-event-store.js';
import { SharedTailEventStore, type SharedTailOptions } from '../src/shared-tail/shared-tail-event-store.js';
import { createTestDatabase, type TestDatabase } from '#test-support/test-database';
import { eventually } from '#test-support/eventually';
import { describeEventStoreContract } from './event-store.contract.js';
import { newEvent, newEvents, uniquePrefix } from './event-store.fixtures.js';
import { testPool } from './postgres-test-pool.js';
import { countStatements, pageShape, POLL, READ_ALL, readableEnd } from './shared-tail.world.js';

let database: TestDatabase;
let pool: pg.Pool;

beforeAll(async () => {
  database = await createTestDatabase('shared_tail');
  pool = testPool(database.url, 12);
});
afterAll(async () => {
  await pool.end();
  await database.drop();
});

describeEventStoreContract('PostgreSQL behind a shared tail', async () => {
  const store = new SharedTailEventStore(await PostgresEventStore.create(pool));
  return { store, dispose: () => store.close() };
});

describeEventStoreContract('PostgreSQL behind a shared tail of three events', async () => {
  const store = new SharedTailEventStore(await PostgresEventStore.create(pool), { pageSize: 2, maxEvents: 3 });
  return { store, dispose: () => store.close() };
});

// Only against a live server (see eventstoredb-event-store.test.ts), which is skipped loudly there.
const eventStoreDbUrl = process.env.EVENTSTORE_URL;
if (eventStoreDbUrl) {
  describeEventStoreContract(
    'EventStoreDB behind a shared tail of three events',
    async () => {
      const client = EventStoreDBClient.connectionString(eventStoreDbUrl);
      const store = new SharedTailEventStore(new EventStoreDbEventStore(client, { maxWaitMs: 2_000 }), { pageSize: 2, maxEvents: 3 });
      return { store, dispose: async () => (await store.close(), await client.dispose()) };
    },
    { eventIdsUniquePerStreamOnly: true },
  );
}

/** A store on a pool of its own whose statements are counted, and the shared tail over it. */
async function countedTail(options?: SharedTailOptions) {
  const own = testPool(database.url, 6);
  const counts = countStatements(own);
  const inner = await PostgresEventStore.create(own, { pollIntervalMs: 20 });
  const shared = new SharedTailEventStore(inner, options);
  return {
    inner,
    shared,
    counts,
    reads: () => counts.get(READ_ALL) ?? 0,
    async close() {
      await shared.close();
      await own.end();
    },
  };
}

/** Starts the window at `position` (a reader waits there) and lets it read what follows, as a subscription at the end of the log does. */
async function windowFrom(shared: SharedTailEventStore, position: Position): Promise<void> {
  const reader = new AbortController();
  const waiting = shared.waitForEventsAfter(position, reader.signal);
  reader.abort();
  await waiting;
  await shared.readAll({ after: position, limit: 1 });
}

describe('answers from the window as the store answers', () => {
  test('every page, for every start, limit and set of prefixes, is the page the store reads (odd stream names too)', async () => {
    const tail = await countedTail();
    try {
      const prefix = uniquePrefix();
      const start = await readableEnd(tail.inner);
      const names = [
        `${prefix}a-1`,
        `x${prefix}a-1`,
        `${prefix}`,
        `${prefix}A-1`,
        `${prefix}a-é`,
        `${prefix}a-e\u0301`,
        `${prefix}b-😀`,
        `${prefix}b-\uFFFD`,
        `${prefix}__proto__`,
        `${prefix}%_\\`,
        `${prefix}a-${'z'.repeat(2_000)}`,
      ];
      let count = 0;
      for (const [index, name] of [...names, ...names.slice(0, 4)].entries()) {
        await tail.inner.appendToStream(name, newEvents(1 + (index % 3)));
        count += 1 + (index % 3);
      }
      const end = await readableEnd(tail.inner, count, [prefix, `x${prefix}`]);
      await windowFrom(tail.shared, start);
      const positions = [start, ...(await tail.inner.readAll({ after: start, limit: 1_000 })).events.map((event) => event.position)];
      expect(positions.at(-1)).toBe(end);
      const prefixSets: (string[] | undefined)[] = [
        undefined,
        [],
        [prefix],
        [`${prefix}a-`],
        [`${prefix}a-`, `${prefix}b-`],
        [`x${prefix}`],
        [`${prefix}a-é`],
        [`${prefix}b-😀`],
        [`${prefix}A`],
        [`${prefix}__proto__`],
        [`${prefix}%`],
        [''],
        [`${prefix}b-\uD83D`],
        [`${prefix}none`],
      ];

      const reads = positions.flatMap((after) => [1, 2, 5, 1_000].flatMap((limit) => prefixSets.map((streamPrefixes): ReadAllOptions => ({ after, limit, streamPrefixes }))));
      const readsBefore = tail.reads();
      const fromWindow = [];
      for (const options of reads) fromWindow.push(pageShape(await tail.shared.readAll(options)));
      const readsOfTheWindow = tail.reads() - readsBefore;
      const fromStore = [];
      for (const options of reads) fromStore.push(pageShape(await tail.inner.readAll(options)));

      expect(fromWindow).toEqual(fromStore);
      // None of the store's but for the lone surrogate, which is left to the store, and at the end, where each reader
      // makes the window look for more.
      expect(readsOfTheWindow).toBe((positions.length - 1) * 4 + 4 * prefixSets.length);
    } finally {
      await tail.close();
    }
  });

  test('what the store refuses is refused the same (NUL in a prefix, a foreign position)', async () => {
    const tail = await countedTail();
    try {
      const start = await readableEnd(tail.inner);
      await windowFrom(tail.shared, start);

      await expect(tail.shared.readAll({ after: start, limit: 5, streamPrefixes: ['a\0b'] })).rejects.toThrow(/0x00|invalid byte/);
      await expect(tail.shared.readAll({ after: 'esdb:12/7', limit: 5 })).rejects.toThrow(/not a position/);
    } finally {
      await tail.close();
    }
  });

  test('a page holds the events it shares with no other reader: changing one changes no other page', async () => {
    const tail = await countedTail();
    try {
      const prefix = uniquePrefix();
      const start = await readableEnd(tail.inner);
      await tail.inner.appendToStream(`${prefix}1`, [newEvent()]);
      await readableEnd(tail.inner, 1, [prefix]);
      await windowFrom(tail.shared, start);

      const first = await tail.shared.readAll({ after: start, limit: 10, streamPrefixes: [prefix] });
      first.events[0].streamName = 'changed';
      const second = await tail.shared.readAll({ after: start, limit: 10, streamPrefixes: [prefix] });

      expect(second.events[0].streamName).toBe(`${prefix}1`);
    } finally {
      await tail.close();
    }
  });
});

describe('the window', () => {
  test('readers at its end share one read of the tail, and its oldest events go first once it is full; a reader before it reads the store', async () => {
    const tail = await countedTail({ pageSize: 4, maxEvents: 6 });
    try {
      const prefix = uniquePrefix();
      const start = await readableEnd(tail.inner);
      const waiting = [tail.shared.waitForEventsAfter(start), tail.shared.waitForEventsAfter(start), tail.shared.waitForEventsAfter(start)];
      for (let index = 0; index < 10; index++) await tail.inner.appendToStream(`${prefix}${index % 2}`, [newEvent()]);
      await Promise.all(waiting);
      const all = (
        await eventually(async () => {
          const page = await tail.inner.readAll({ after: start, limit: 100 });
          expect(page.events).toHaveLength(10);
          return page;
        })
      ).events;
      const positions = all.map((event) => event.position);

      let readsBefore = tail.reads();
      const firstPages = await Promise.all([0, 1, 2].map(() => tail.shared.readAll({ after: start, limit: 100, streamPrefixes: [prefix] })));
      expect(tail.reads() - readsBefore).toBe(1);
      for (const page of firstPages) expect(pageShape(page)).toEqual({ ids: all.slice(0, 4).map((event) => event.id), streams: expect.any(Array), position: positions[3] });

      // Two more reads of the tail: 12 events read, 6 kept, (positions[3], positions[9]] and the end.
      await tail.shared.readAll({ after: positions[3], limit: 100 });
      await tail.shared.readAll({ after: positions[7], limit: 100 });
      readsBefore = tail.reads();
      const inside = await tail.shared.readAll({ after: positions[4], limit: 100, streamPrefixes: [`${prefix}1`] });
      expect(tail.reads()).toBe(readsBefore);
      expect(inside.events.map((event) => event.id)).toEqual(all.filter((event, index) => index > 4 && event.streamName === `${prefix}1`).map((event) => event.id));

      for (const after of [start, positions[0], positions[2]]) {
        readsBefore = tail.reads();
        const before = await tail.shared.readAll({ after, limit: 3, streamPrefixes: [prefix] });
        expect(tail.reads()).toBe(readsBefore + 1);
        expect(pageShape(before)).toEqual(pageShape(await tail.inner.readAll({ after, limit: 3, streamPrefixes: [prefix] })));
      }
    } finally {
      await tail.close();
    }
  });

  test('a reader that got past the end through the store on its own is answered once the window caught up; one far past it starts the window again', async () => {
    const tail = await countedTail({ pageSize: 2, maxEvents: 2 });
    try {
      const prefix = uniquePrefix();
      const start = await readableEnd(tail.inner);
      await windowFrom(tail.shared, start);
      await tail.inner.appendToStream(`${prefix}1`, newEvents(3));
      const three = (
        await eventually(async () => {
          const page = await tail.inner.readAll({ after: start, limit: 100 });
          expect(page.events).toHaveLength(3);
          return page;
        })
      ).events;

      let readsBefore = tail.reads();
      const justPast = await tail.shared.readAll({ after: three[0].position, limit: 10, streamPrefixes: [prefix] });
      expect(justPast.events.map((event) => event.id)).toEqual([three[1].id]);
      expect(tail.reads()).toBe(readsBefore + 1);

      await tail.inner.appendToStream(`${prefix}2`, newEvents(8));
      const eleven = await eventually(async () => {
        const page = await tail.inner.readAll({ after: start, limit: 100 });
        expect(page.events).toHaveLength(11);
        return page.events;
      });
      readsBefore = tail.reads();
      const farPast = await tail.shared.readAll({ after: eleven[8].position, limit: 10, streamPrefixes: [prefix] });
      // Two reads of the tail that did not reach it, then one from where it is.
      expect(tail.reads()).toBe(readsBefore + 3);
      expect(pageShape(farPast)).toEqual(pageShape(await tail.inner.readAll({ after: eleven[8].position, limit: 10, streamPrefixes: [prefix] })));
      readsBefore = tail.reads();
      expect((await tail.shared.readAll({ after: eleven[9].position, limit: 10 })).events.map((event) => event.id)).toEqual([eleven[10].id]);
      expect(tail.reads()).toBe(readsBefore);
    } finally {
      await tail.close();
    }
  });
});

/** The store, recording the signal of each wait the shared tail starts on it. */
class WaitRecorder implements EventStore {
  readonly signals: AbortSignal[] = [];
  constructor(private readonly store: EventStore) {}
  appendToStream: EventStore['appendToStream'] = (...args) => this.store.appendToStream(...args);
  appendToStreams: EventStore['appendToStreams'] = (appends) => this.store.appendToStreams(appends);
  readStream: EventStore['readStream'] = (...args) => this.store.readStream(...args);
  readAll: EventStore['readAll'] = (options) => this.store.readAll(options);
  headPosition: EventStore['headPosition'] = () => this.store.headPosition();
  comparePositions: EventStore['comparePositions'] = (a, b) => this.store.comparePositions(a, b);
  close: EventStore['close'] = () => this.store.close();
  waitForEventsAfter(position: Position, signal?: AbortSignal): Promise<void> {
    if (signal) this.signals.push(signal);
    return this.store.waitForEventsAfter(position, signal);
  }
}

describe('waiting', () => {
  test('readers waiting at one position share one wait; one that gives up leaves the others waiting, the last one ends it', async () => {
    const tail = await countedTail();
    const recorder = new WaitRecorder(tail.inner);
    const shared = new SharedTailEventStore(recorder);
    try {
      const end = await readableEnd(tail.inner);
      const [first, second, third] = [new AbortController(), new AbortController(), new AbortController()];
      let secondWoke = false;
      const waits = [shared.waitForEventsAfter(end, first.signal), shared.waitForEventsAfter(end, second.signal).then(() => (secondWoke = true))];

      first.abort();
      await waits[0];

      expect(recorder.signals).toHaveLength(1);
      expect(recorder.signals[0].aborted).toBe(false);
      expect(secondWoke).toBe(false);
      const pollsBefore = tail.counts.get(POLL) ?? 0;
      await eventually(() => expect(tail.counts.get(POLL)).toBeGreaterThan(pollsBefore + 1));
      expect(secondWoke).toBe(false);

      await tail.inner.appendToStream(`${uniquePrefix()}1`, [newEvent()]);
      await waits[1];
      expect(recorder.signals).toHaveLength(1);

      const after = await readableEnd(tail.inner);
      const both = [shared.waitForEventsAfter(after, second.signal), shared.waitForEventsAfter(after, third.signal)];
      expect(recorder.signals).toHaveLength(2);
      third.abort();
      await both[1];
      expect(recorder.signals[1].aborted).toBe(false);
      second.abort();
      await both[0];
      expect(recorder.signals[1].aborted).toBe(true);
      // The next reader there starts a wait of its own.
      const last = new AbortController();
      const again = shared.waitForEventsAfter(after, last.signal);
      expect(recorder.signals).toHaveLength(3);
      last.abort();
      await again;
    } finally {
      await shared.close();
      await tail.close();
    }
  });

  test('a wait ends at once when the window holds something after the position, and when a read of the tail brings it', async () => {
    const tail = await countedTail();
    const recorder = new WaitRecorder(tail.inner);
    const shared = new SharedTailEventStore(recorder);
    try {
      const prefix = uniquePrefix();
      const start = await readableEnd(tail.inner);
      await windowFrom(shared, start);
      const elsewhere = new AbortController();
      const waiting = shared.waitForEventsAfter(start, elsewhere.signal);
      await tail.inner.appendToStream(`${prefix}1`, newEvents(2));
      await readableEnd(tail.inner, 2, [prefix]);
      const { events } = await shared.readAll({ after: start, limit: 1, streamPrefixes: [prefix] });
      await waiting;
      expect(elsewhere.signal.aborted).toBe(false);
      const waitsStarted = recorder.signals.length;

      await shared.waitForEventsAfter(events[0].position);
      await shared.waitForEventsAfter(START);

      expect(recorder.signals).toHaveLength(waitsStarted);
      expect(recorder.signals.at(-1)!.aborted).toBe(true);
    } finally {
      await shared.close();
      await tail.close();
    }
  });
});
