import type pg from 'pg';
import { DuplicateEventIdError, WrongExpectedRevisionError, type StreamAppendOutcome } from '../src/event-store.port.js';
import { verifyChain } from '../src/hash-chain/chain-verifier.js';
import { PostgresAuditLog } from '../src/postgres/postgres-audit-log.js';
import { PostgresEventStore } from '../src/postgres/postgres-event-store.js';
import { createTestDatabase, type TestDatabase } from '#test-support/test-database';
import { newEvent, newEvents, uniquePrefix } from './event-store.fixtures.js';
import { testPool } from './postgres-test-pool.js';

/**
 * appendToStreams on PostgreSQL: one transaction for every append it can store, each append judged as appendToStream
 * would judge it, the refused ones reported in their places, the hash chain intact.
 */
let database: TestDatabase;
let pool: pg.Pool;
let store: PostgresEventStore;

beforeAll(async () => {
  database = await createTestDatabase('multi_stream_append');
  pool = testPool(database.url, 6);
  store = await PostgresEventStore.create(pool, { pollIntervalMs: 60_000 });
});
afterAll(async () => {
  await store.close();
  await pool.end();
  await database.drop();
});

const transactionOf = (outcome: StreamAppendOutcome): string => (outcome.ok ? outcome.result.position.split(':')[0] : 'refused');
const errorOf = (outcome: StreamAppendOutcome): unknown => (outcome.ok ? null : outcome.error);

test('stores every acceptable append in one transaction and reports the refused ones in their places', async () => {
  const prefix = uniquePrefix();
  await store.appendToStream(`${prefix}existing`, newEvents(2));
  await store.appendToStream(`${prefix}taken`, newEvents(1));

  const outcomes = await store.appendToStreams([
    { streamName: `${prefix}new`, events: newEvents(3), expectedRevision: 'no_stream' },
    { streamName: `${prefix}taken`, events: newEvents(1), expectedRevision: 'no_stream' },
    { streamName: `${prefix}existing`, events: newEvents(1), expectedRevision: 1 },
    { streamName: `${prefix}existing`, events: newEvents(1), expectedRevision: 1 },
    { streamName: `${prefix}any`, events: newEvents(2) },
  ]);

  expect(outcomes.map((outcome) => (outcome.ok ? outcome.result.nextExpectedRevision : 'refused'))).toEqual([2, 'refused', 2, 'refused', 1]);
  expect(errorOf(outcomes[1])).toMatchObject({ name: 'WrongExpectedRevisionError', streamName: `${prefix}taken`, expected: 'no_stream', actual: 0 });
  // The second append to `existing` sees the first one of the same call: the stream is at 2 by then.
  expect(errorOf(outcomes[3])).toMatchObject({ expected: 1, actual: 2 });
  expect(new Set(outcomes.filter((outcome) => outcome.ok).map(transactionOf)).size).toBe(1);
  expect(await store.readStream(`${prefix}taken`)).toHaveLength(1);
  expect((await store.readStream(`${prefix}existing`)).map((event) => event.revision)).toEqual([0, 1, 2]);
});

test('the same delivery twice in one call is stored once', async () => {
  const stream = `${uniquePrefix()}fact`;
  const outcomes = await store.appendToStreams([
    { streamName: stream, events: [newEvent()], expectedRevision: 'no_stream' },
    { streamName: stream, events: [newEvent()], expectedRevision: 'no_stream' },
  ]);

  expect(outcomes.map((outcome) => outcome.ok)).toEqual([true, false]);
  expect(errorOf(outcomes[1])).toBeInstanceOf(WrongExpectedRevisionError);
  expect(await store.readStream(stream)).toHaveLength(1);
});

test('an identical retry is recognised, an event id reused with other content is refused alone', async () => {
  const prefix = uniquePrefix();
  const event = newEvent('AppointmentNoted', { note: 'first' });
  const first = await store.appendToStream(`${prefix}a`, [event], { expectedRevision: 'no_stream' });

  const outcomes = await store.appendToStreams([
    { streamName: `${prefix}a`, events: [event], expectedRevision: 'no_stream' },
    { streamName: `${prefix}b`, events: [{ ...event, data: { note: 'other' } }] },
    { streamName: `${prefix}c`, events: [newEvent()] },
  ]);

  expect(outcomes[0]).toEqual({ ok: true, result: first });
  expect(errorOf(outcomes[1])).toBeInstanceOf(DuplicateEventIdError);
  expect(outcomes[2].ok).toBe(true);
  expect(await store.readStream(`${prefix}b`)).toEqual([]);
});

test('refusals made before any SQL (an id twice, a malformed revision) stay with their own append', async () => {
  const prefix = uniquePrefix();
  const twice = newEvent();
  const outcomes = await store.appendToStreams([
    { streamName: `${prefix}twice`, events: [twice, twice] },
    { streamName: `${prefix}negative`, events: [newEvent()], expectedRevision: -5 },
    { streamName: `${prefix}fine`, events: [newEvent()] },
    { streamName: `${prefix}nothing`, events: [], expectedRevision: 'no_stream' },
  ]);

  expect(errorOf(outcomes[0])).toBeInstanceOf(DuplicateEventIdError);
  expect(errorOf(outcomes[1])).toBeInstanceOf(RangeError);
  expect(outcomes.slice(2).map((outcome) => outcome.ok)).toEqual([true, true]);
  expect(await store.readStream(`${prefix}fine`)).toHaveLength(1);
});

test('data the database refuses fails only its own append: the others are stored one by one', async () => {
  const prefix = uniquePrefix();
  const outcomes = await store.appendToStreams([
    { streamName: `${prefix}before`, events: [newEvent()] },
    // jsonb has no NUL character: PostgreSQL refuses the text, which fails the whole statement.
    { streamName: `${prefix}nul`, events: [newEvent('AppointmentNoted', { note: 'a\u0000b' })] },
    { streamName: `${prefix}after`, events: [newEvent()] },
  ]);

  expect(outcomes.map((outcome) => outcome.ok)).toEqual([true, false, true]);
  expect(await store.readStream(`${prefix}nul`)).toEqual([]);
  expect(await store.readStream(`${prefix}after`)).toHaveLength(1);
});

test('the hash chain of every stream appended together verifies', async () => {
  const prefix = uniquePrefix();
  const hostile = JSON.parse('{"text":"a\\u0001\\"\\\\😀 é","__proto__":{"polluted":true},"deep":[[[{"k":[]}]]]}');
  await store.appendToStream(`${prefix}0`, newEvents(2));
  await store.appendToStreams(Array.from({ length: 40 }, (_, index) => ({ streamName: `${prefix}${index % 7}`, events: [newEvent('AppointmentNoted', { index, hostile })] })));
  const audit = new PostgresAuditLog(pool);

  const report = await audit.withSession((session) => verifyChain(session));

  expect(report).toMatchObject({ intact: true, problem: null });
  expect((await store.readStream(`${prefix}0`)).map((event) => event.revision)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
});
