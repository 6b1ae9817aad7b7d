import { SubscriptionStoppedError, WaitUntilProcessedTimeoutError, type SubscriptionErrorContext } from '../src/catch-up-subscription.js';
import { START, type Position, type RecordedEvent } from '../src/event-store.port.js';
import type { PostgresEventStore } from '../src/postgres/postgres-event-store.js';
import { eventually } from '#test-support/eventually';
import { newEvents, uniquePrefix } from './event-store.fixtures.js';
import { catchUpWorldForFile } from './catch-up-subscription.world.js';

const world = catchUpWorldForFile('subscription', 12);
const { subscribe } = world;

/** Where `projection` writes the ids it handled, with the checkpoint in the same transaction. */
beforeAll(async () => {
  await world.pool.query('CREATE TABLE projected (seq bigserial PRIMARY KEY, subscription text NOT NULL, event_id uuid NOT NULL)');
});

/** Appends `total` events in appends of `perAppend` to streams under `prefix`; returns ids and last position. */
async function appendEvents(prefix: string, total: number, perAppend = 100): Promise<{ ids: string[]; position: Position }> {
  const ids: string[] = [];
  let position: Position = START;
  for (let index = 0; ids.length < total; index++) {
    const events = newEvents(Math.min(perAppend, total - ids.length));
    ({ position } = await world.store.appendToStream(`${prefix}${index % 3}`, events));
    ids.push(...events.map((event) => event.id));
  }
  return { ids, position };
}

/** A projection as the real ones are written: rows and checkpoint in one transaction. */
function projection(name: string, options: { beforeCommit?: (events: RecordedEvent[]) => Promise<void> } = {}) {
  const batches: RecordedEvent[][] = [];
  const handle = async (events: RecordedEvent[], position: Position) => {
    const client = await world.pool.connect();
    try {
      await client.query('BEGIN');
      await client.query('INSERT INTO projected (subscription, event_id) SELECT $1, unnest($2::uuid[])', [name, events.map((event) => event.id)]);
      await world.checkpoints.save(name, position, client);
      await options.beforeCommit?.(events);
      await client.query('COMMIT');
      batches.push(events);
    } catch (error) {
      await client.query('ROLLBACK');
      throw error;
    } finally {
      client.release();
    }
  };
  const projectedIds = async () => {
    const { rows } = await world.pool.query<{ event_id: string }>('SELECT event_id FROM projected WHERE subscription = $1 ORDER BY seq', [name]);
    return rows.map((row) => row.event_id);
  };
  return { batches, handle, projectedIds };
}

test('handles every event once, in order, in batches, then follows new appends', async () => {
  const prefix = uniquePrefix();
  const name = `all-${prefix}`;
  const { ids, position } = await appendEvents(prefix, 1_200);
  const { batches, handle, projectedIds } = projection(name);
  const subscription = subscribe({ name, streamPrefixes: [prefix], handle });

  await subscription.start();
  await subscription.waitUntilProcessed(position, 10_000);
  const live = await appendEvents(prefix, 3, 1);
  await subscription.waitUntilProcessed(live.position, 10_000);

  expect(await projectedIds()).toEqual([...ids, ...live.ids]);
  expect(Math.max(...batches.map((batch) => batch.length))).toBe(500);
  expect(await world.checkpoints.load(name)).toBe(subscription.position);
});

test('a filtered subscription moves past events of other streams, so waiting for their position still returns', async () => {
  const prefix = uniquePrefix();
  const subscription = subscribe({ name: `filtered-${prefix}`, streamPrefixes: [prefix], handle: projection(`filtered-${prefix}`).handle });
  await subscription.start();

  const elsewhere = await appendEvents(uniquePrefix(), 5, 5);

  await subscription.waitUntilProcessed(elsewhere.position, 10_000);
  expect(await world.checkpoints.load(`filtered-${prefix}`)).toBe(subscription.position);
});

test('resumes from its saved checkpoint after a restart without handling anything twice', async () => {
  const prefix = uniquePrefix();
  const name = `resume-${prefix}`;
  const first = await appendEvents(prefix, 10, 4);
  const firstRun = subscribe({ name, streamPrefixes: [prefix], handle: projection(name).handle });
  await firstRun.start();
  await firstRun.waitUntilProcessed(first.position, 10_000);
  await firstRun.stop();

  const second = await appendEvents(prefix, 5, 2);
  const { batches, handle, projectedIds } = projection(name);
  const secondRun = subscribe({ name, streamPrefixes: [prefix], handle });
  await secondRun.start();
  await secondRun.waitUntilProcessed(second.position, 10_000);

  expect(batches.flat().map((event) => event.id)).toEqual(second.ids);
  expect(await projectedIds()).toEqual([...first.ids, ...second.ids]);
});

test('retries a failing batch with backoff and never skips it', async () => {
  const prefix = uniquePrefix();
  const name = `retry-${prefix}`;
  const { ids, position } = await appendEvents(prefix, 30, 10);
  const errors: SubscriptionErrorContext[] = [];
  let failuresLeft = 3;
  const { batches, handle, projectedIds } = projection(name, {
    beforeCommit: async () => {
      if (failuresLeft-- > 0) throw new Error('projection database briefly unavailable');
    },
  });
  const subscription = subscribe({
    name,
    streamPrefixes: [prefix],
    batchSize: 10,
    handle,
    onError: (_, context) => errors.push(context),
    retry: { initialDelayMs: 1, maxDelayMs: 5 },
  });

  await subscription.start();
  await subscription.waitUntilProcessed(position, 10_000);

  expect(errors.map(({ phase, attempt, position: at }) => ({ phase, attempt, at }))).toEqual([1, 2, 3].map((attempt) => ({ phase: 'handle', attempt, at: START })));
  // Page boundaries depend on what else runs on the server (readAll stops at the oldest open transaction),
  // so only the bound and the total are fixed: every event once, no batch over the size.
  expect(batches.every((batch) => batch.length <= 10)).toBe(true);
  expect(batches.reduce((sum, batch) => sum + batch.length, 0)).toBe(30);
  expect(await projectedIds()).toEqual(ids);
});

test('waitUntilProcessed resolves at once for a reached position, times out for one not reached', async () => {
  const prefix = uniquePrefix();
  const { position } = await appendEvents(prefix, 2, 2);
  let release!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  const subscription = subscribe({ name: `wait-${prefix}`, streamPrefixes: [prefix], handle: () => gate });
  await subscription.start();

  await expect(subscription.waitUntilProcessed(START, 1)).resolves.toBeUndefined();
  await expect(subscription.waitUntilProcessed(position, 50)).rejects.toThrow(WaitUntilProcessedTimeoutError);
  const processed = subscription.waitUntilProcessed(position, 10_000);
  release();

  await expect(processed).resolves.toBeUndefined();
  expect(subscription.position).toBe(position);
});

test('stop lets the batch in flight finish, then rejects pending waits', async () => {
  const prefix = uniquePrefix();
  const first = await appendEvents(prefix, 1, 1);
  let entered = false;
  let release!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  const handled: string[] = [];
  const subscription = subscribe({
    name: `stop-${prefix}`,
    streamPrefixes: [prefix],
    handle: async (events) => {
      // A checkpoint-only batch may come first: while a transaction elsewhere on the server is open, readAll stops
      // before our event and moves past the other tests' events. The batch to hold is the one with our event.
      if (events.length === 0) return;
      entered = true;
      await gate;
      handled.push(...events.map((event) => event.id));
    },
  });
  await subscription.start();
  await eventually(() => expect(entered).toBe(true));
  const beyond = subscription.waitUntilProcessed(`${Number.MAX_SAFE_INTEGER}:0`, 60_000);
  const beyondRejected = expect(beyond).rejects.toThrow(SubscriptionStoppedError);

  let stopped = false;
  const stopping = subscription.stop().then(() => (stopped = true));
  await new Promise((resolve) => setImmediate(resolve));
  expect(stopped).toBe(false);
  release();
  await stopping;

  expect(handled).toEqual(first.ids);
  expect(subscription.position).toBe(first.position);
  await beyondRejected;
});

/** The store, with every `readAll` recorded and, while `hold` is set, the reads after a position held back. */
function watchedStore() {
  const reads: Position[] = [];
  let hold: { after: Position; until: Promise<void> } | null = null;
  const watched = Object.create(world.store) as PostgresEventStore;
  watched.readAll = async (options) => {
    reads.push(options?.after ?? START);
    if (hold && options?.after === hold.after) await hold.until;
    return world.store.readAll(options);
  };
  return { watched, reads, holdReadsAfter: (after: Position, until: Promise<void>) => (hold = { after, until }) };
}

test('reads the next page while the handler applies the current one, and still handles in order', async () => {
  const prefix = uniquePrefix();
  const name = `prefetch-${prefix}`;
  const { ids, position } = await appendEvents(prefix, 25, 5);
  const { watched, reads } = watchedStore();
  let release!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  const { batches, handle, projectedIds } = projection(name, { beforeCommit: () => gate });
  const handledAt: Position[] = [];
  const handleAndNote = (events: RecordedEvent[], at: Position) => (handledAt.push(at), handle(events, at));
  const subscription = subscribe(
    {
      name,
      streamPrefixes: [prefix],
      batchSize: 10,
      handle: handleAndNote,
    },
    watched,
  );
  await subscription.start();

  // The first batch is held before its commit, yet the page after it is being read.
  await eventually(() => expect(reads).toContain(handledAt[0]));
  expect(batches).toEqual([]);
  release();
  await subscription.waitUntilProcessed(position, 10_000);

  expect(await projectedIds()).toEqual(ids);
  // Each batch was handled once (no retries here), and the next read started where it ended.
  expect(handledAt).toEqual([...new Set(handledAt)]);
  expect(batches.every((batch) => batch.length <= 10)).toBe(true);
  // The last page (5 of 10) was short, the end of the log: nothing is read after it, the subscription waits there.
  for (const at of handledAt.slice(0, -1)) expect(reads).toContain(at);
  expect(reads).not.toContain(handledAt.at(-1));
});

test('a short page is the end of the log: nothing is read ahead of it, the subscription waits, then reads once', async () => {
  const prefix = uniquePrefix();
  const name = `at-the-end-${prefix}`;
  const first = await appendEvents(prefix, 3, 3);
  const { watched, reads } = watchedStore();
  const waits: Position[] = [];
  watched.waitForEventsAfter = (position, signal) => {
    waits.push(position);
    return world.store.waitForEventsAfter(position, signal);
  };
  const { batches, handle } = projection(name);
  const subscription = subscribe({ name, streamPrefixes: [prefix], batchSize: 10, handle }, watched);
  await subscription.start();
  await subscription.waitUntilProcessed(first.position, 10_000);
  await eventually(() => expect(waits).toEqual([first.position]));
  expect(reads).toEqual([START]);

  const second = await appendEvents(prefix, 2, 2);
  await subscription.waitUntilProcessed(second.position, 10_000);
  await eventually(() => expect(waits).toEqual([first.position, second.position]));
  await subscription.stop();

  expect(reads).toEqual([START, first.position]);
  expect(batches.map((batch) => batch.length)).toEqual([3, 2]);
});

test('stop waits for a page being read ahead', async () => {
  const prefix = uniquePrefix();
  const name = `prefetch-stop-${prefix}`;
  const first = await appendEvents(prefix, 3, 3);
  await appendEvents(prefix, 3, 3);
  const { watched, holdReadsAfter } = watchedStore();
  let releaseRead!: () => void;
  holdReadsAfter(first.position, new Promise<void>((resolve) => (releaseRead = resolve)));
  const { batches, handle } = projection(name);
  const subscription = subscribe({ name, streamPrefixes: [prefix], batchSize: 3, handle }, watched);
  try {
    await subscription.start();
    await subscription.waitUntilProcessed(first.position, 10_000);

    let stopped = false;
    const stopping = subscription.stop().then(() => (stopped = true));
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(stopped).toBe(false);
    releaseRead();
    await stopping;
  } finally {
    // A failure above must not leave the read held: the file's afterEach would wait on this subscription's stop for ever.
    releaseRead();
  }

  expect(batches.flat().length).toBe(3);
  expect(subscription.position).toBe(first.position);
});

describe('PostgreSQL checkpoint store', () => {
  test('an unknown subscription starts at START; a saved position loads back', async () => {
    const name = `checkpoint-${uniquePrefix()}`;
    expect(await world.checkpoints.load(name)).toBe(START);

    await world.checkpoints.save(name, '10:20');
    await world.checkpoints.save(name, '10:21');

    expect(await world.checkpoints.load(name)).toBe('10:21');
  });

  test("a save inside the caller's transaction commits and rolls back with it", async () => {
    const name = `checkpoint-${uniquePrefix()}`;
    const client = await world.pool.connect();
    try {
      await client.query('BEGIN');
      await world.checkpoints.save(name, '1:1', client);
      await client.query('ROLLBACK');
      expect(await world.checkpoints.load(name)).toBe(START);

      await client.query('BEGIN');
      await world.checkpoints.save(name, '1:2', client);
      expect(await world.checkpoints.load(name)).toBe(START);
      await client.query('COMMIT');
      expect(await world.checkpoints.load(name)).toBe('1:2');
    } finally {
      client.release();
    }
  });
});
