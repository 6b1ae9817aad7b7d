import { START, WrongExpectedRevisionError, type Position, type RecordedEvent } from '../src/event-store.port.js';
import { appendQuery, type AppendRow } from '../src/postgres/postgres-event-store.queries.js';
import { AppendErrorCode } from '../src/postgres/postgres-event-store.schema.js';
import { eventually } from '#test-support/eventually';
import { expectAscending, newEvent, newEvents, readAllOnceVisible, uniquePrefix } from './event-store.fixtures.js';
import { postgresStoreForFile } from './postgres-test-pool.js';

/*
 * A global order is gap-safe when a reader that has read up to some place never later finds a new event
 * before that place. A plain sequence is not: its numbers are taken at insert, but rows become visible at
 * commit, in another order. These tests hold transactions open to make that happen on purpose.
 */

const postgres = postgresStoreForFile('global_order', 16);

/** The reader a sequence-only design would have: remembers the highest global_position it has seen. */
class NaiveSequenceReader {
  readonly seen = new Set<string>();
  last = 0n;

  async poll(): Promise<void> {
    const { rows } = await postgres.pool.query<{ global_position: string; event_id: string }>(
      'SELECT global_position, event_id FROM events WHERE global_position > $1 ORDER BY global_position LIMIT 500',
      [this.last.toString()],
    );
    for (const row of rows) this.seen.add(row.event_id);
    if (rows.length) this.last = BigInt(rows.at(-1)!.global_position);
  }
}

/** Opens a transaction, appends in it and keeps it open until `commit()`. */
async function appendInOpenTransaction(streamName: string, eventCount = 1) {
  const client = await postgres.pool.connect();
  await client.query('BEGIN');
  const events = newEvents(eventCount, 'AppointmentHeld');
  const { rows } = await client.query<AppendRow>(appendQuery(streamName, events, 'any'));
  return {
    events,
    globalPosition: BigInt(rows[0].appended_global_position),
    async commit() {
      await client.query('COMMIT');
      client.release();
    },
  };
}

test('a sequence-only reader skips an event committed late; readAll does not', async () => {
  const prefix = uniquePrefix();
  const naive = new NaiveSequenceReader();
  const held = await appendInOpenTransaction(`${prefix}slow`);
  const fast = newEvent();
  await postgres.store.appendToStream(`${prefix}fast`, [fast]);

  await naive.poll();
  const whileHeld = await postgres.store.readAll({ streamPrefixes: [prefix] });
  await held.commit();
  await naive.poll();

  expect(naive.seen.has(fast.id)).toBe(true);
  expect(naive.last).toBeGreaterThan(held.globalPosition);
  expect(naive.seen.has(held.events[0].id)).toBe(false);
  expect(whileHeld.events).toEqual([]);
  const all = await readAllOnceVisible(postgres.store, [prefix], 2);
  expect(all.map((event) => event.id)).toEqual([held.events[0].id, fast.id]);
});

test('an append whose transaction id predates the previous writer of the stream is refused, so it can retry', async () => {
  const name = `appointment-${crypto.randomUUID()}`;
  const early = await postgres.pool.connect();
  try {
    await early.query('BEGIN');
    await early.query('SELECT pg_current_xact_id()');
    await postgres.store.appendToStream(name, [newEvent()], { expectedRevision: 'no_stream' });

    const late = early.query(appendQuery(name, [newEvent()], 0));

    await expect(late).rejects.toMatchObject({ code: AppendErrorCode.transactionOrder });
  } finally {
    await early.query('ROLLBACK');
    early.release();
  }
});

describe('many concurrent writers, some committing late, and a tailing reader', () => {
  const sharedStreams = 4;
  const fastWriters = 6;
  const slowWriters = 2;
  const slowRounds = 4;

  test('the reader sees every event exactly once, each stream in revision order', async () => {
    const prefix = uniquePrefix();
    const appended = new Map<string, string>();
    const naive = new NaiveSequenceReader();
    let slowDone = false;
    const stopReaders = new AbortController();

    const naiveTail = (async () => {
      while (!stopReaders.signal.aborted) {
        await naive.poll();
        await new Promise((resolve) => setImmediate(resolve));
      }
    })();

    const read: RecordedEvent[] = [];
    const tail = (async () => {
      let position: Position = START;
      while (!stopReaders.signal.aborted) {
        const page = await postgres.store.readAll({ after: position, limit: 50, streamPrefixes: [prefix] });
        read.push(...page.events);
        if (page.events.length === 0) await postgres.store.waitForEventsAfter(page.position, stopReaders.signal);
        position = page.position;
      }
    })();

    const fast = Array.from({ length: fastWriters }, async (_, writer) => {
      const revisions = new Map<string, number | 'no_stream'>();
      for (let round = 0; !slowDone; round++) {
        const name = `${prefix}shared-${(writer + round) % sharedStreams}`;
        const events = newEvents(1 + (round % 3));
        try {
          const result = await postgres.store.appendToStream(name, events, { expectedRevision: revisions.get(name) ?? 'no_stream' });
          revisions.set(name, result.nextExpectedRevision);
          for (const event of events) appended.set(event.id, name);
        } catch (error) {
          if (!(error instanceof WrongExpectedRevisionError)) throw error;
          revisions.set(name, error.actual);
        }
      }
    });

    const slow = Array.from({ length: slowWriters }, async (_, writer) => {
      for (let round = 0; round < slowRounds; round++) {
        const name = `${prefix}slow-${writer}`;
        const held = await appendInOpenTransaction(name, 2);
        // Commit only once the naive reader has passed this transaction's places: the late commit is certain.
        await eventually(() => expect(naive.last).toBeGreaterThan(held.globalPosition), 10_000, 1);
        await held.commit();
        for (const event of held.events) appended.set(event.id, name);
      }
    });

    await Promise.all(slow);
    slowDone = true;
    await Promise.all(fast);
    await eventually(() => expect(read.length).toBeGreaterThanOrEqual(appended.size), 10_000);
    await eventually(() => expect(naive.last).toBeGreaterThanOrEqual(BigInt(read.at(-1)!.position.split(':')[1])), 10_000);
    stopReaders.abort();
    await Promise.all([tail, naiveTail]);

    const ids = read.map((event) => event.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(new Set(ids)).toEqual(new Set(appended.keys()));
    expectAscending(
      postgres.store,
      read.map((event) => event.position),
    );
    const revisionsByStream = new Map<string, number[]>();
    for (const event of read) revisionsByStream.set(event.streamName, [...(revisionsByStream.get(event.streamName) ?? []), event.revision]);
    for (const revisions of revisionsByStream.values()) expect(revisions).toEqual(revisions.map((_, index) => index));
    expect(revisionsByStream.size).toBe(sharedStreams + slowWriters);

    const skippedByNaive = [...appended.keys()].filter((id) => !naive.seen.has(id));
    expect(skippedByNaive.length).toBeGreaterThanOrEqual(slowWriters * slowRounds * 2);
  });
});
