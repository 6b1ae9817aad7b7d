import { randomUUID } from 'node:crypto';
import { aggregateStream, type AggregateStreamOptions } from '../src/aggregate-stream.js';
import type { NewEvent, RecordedEvent } from '../src/event-store.port.js';
import { eventually } from '#test-support/eventually';
import { metadata } from './event-store.fixtures.js';
import { postgresStoreForFile } from './postgres-test-pool.js';

/** A small event union, shaped like the domain's (`Event<'Type', Data>` joined into a union). */
type Deposited = { type: 'Deposited'; data: { amount: number } };
type Withdrawn = { type: 'Withdrawn'; data: { amount: number; reason: string } };
type AccountEvent = Deposited | Withdrawn;

interface Account {
  balance: number;
  reasons: string[];
  /** What evolve saw of each event's place in the store. */
  seen: Array<{ revision: number; actor: string; recordedAt: string }>;
}

/** Typed by the event union: `event.data` narrows on `event.type`, no cast. An unknown type only shows in `seen`. */
function evolveAccount(account: Account, event: RecordedEvent<AccountEvent>): Account {
  const seen = [...account.seen, { revision: event.revision, actor: event.metadata.actor, recordedAt: event.recordedAt }];
  switch (event.type) {
    case 'Deposited':
      return { ...account, balance: account.balance + event.data.amount, seen };
    case 'Withdrawn':
      return { balance: account.balance - event.data.amount, reasons: [...account.reasons, event.data.reason], seen };
    default:
      return { ...account, seen };
  }
}

const accountFold: AggregateStreamOptions<Account, AccountEvent> = {
  initialState: () => ({ balance: 0, reasons: [], seen: [] }),
  evolve: evolveAccount,
};

/** Counts what evolve was handed, in order. */
function recording(): { types: string[]; evolve: AggregateStreamOptions<Account, AccountEvent>['evolve'] } {
  const types: string[] = [];
  return { types, evolve: (state, event) => (types.push(event.type), evolveAccount(state, event)) };
}

function newEvent<E extends { type: string; data: unknown }>(event: E, actor = 'admin:alice'): NewEvent {
  return { id: randomUUID(), ...event, metadata: metadata({ actor }) };
}

const deposited = (amount: number, actor?: string) => newEvent<Deposited>({ type: 'Deposited', data: { amount } }, actor);
const withdrawn = (amount: number, reason: string) => newEvent<Withdrawn>({ type: 'Withdrawn', data: { amount, reason } });
const account = () => `account-${randomUUID()}`;

const postgres = postgresStoreForFile('aggregate_stream', 4, { pollIntervalMs: 60_000 });

test('folds a stream of typed events in order and says how many there were and the last revision', async () => {
  const name = account();
  await postgres.store.appendToStream(name, [deposited(100, 'admin:alice'), withdrawn(30, 'haircut')]);
  await postgres.store.appendToStream(name, [deposited(5, 'calcom:webhook')]);

  const { state, eventCount, revision } = await aggregateStream(postgres.store, name, accountFold);

  expect({ balance: state.balance, reasons: state.reasons, eventCount, revision }).toEqual({ balance: 75, reasons: ['haircut'], eventCount: 3, revision: 2 });
  expect(state.seen.map(({ revision: seenRevision, actor }) => [seenRevision, actor])).toEqual([
    [0, 'admin:alice'],
    [1, 'admin:alice'],
    [2, 'calcom:webhook'],
  ]);
  const recorded = await postgres.store.readStream(name);
  expect(state.seen.map(({ recordedAt }) => recordedAt)).toEqual(recorded.map(({ recordedAt }) => recordedAt));
});

test('a stream that does not exist folds to the initial state, with no events and revision -1', async () => {
  const { types, evolve } = recording();

  const aggregated = await aggregateStream(postgres.store, account(), { ...accountFold, evolve });

  expect(aggregated).toEqual({ state: { balance: 0, reasons: [], seen: [] }, eventCount: 0, revision: -1 });
  expect(types).toEqual([]);
});

test('each fold starts from a fresh initial state', async () => {
  const name = account();
  await postgres.store.appendToStream(name, [deposited(10)]);

  const first = await aggregateStream(postgres.store, name, accountFold);
  const second = await aggregateStream(postgres.store, name, accountFold);

  expect([first.state.balance, second.state.balance]).toEqual([10, 10]);
  expect(second.state).not.toBe(first.state);
});

test('read.until folds the stream as it stood at a time (asOf)', async () => {
  const name = account();
  await postgres.store.appendToStream(name, [deposited(100), withdrawn(40, 'colour')]);
  const [, second] = await postgres.store.readStream(name);
  await eventually(() => expect(Date.now()).toBeGreaterThan(Date.parse(second.recordedAt) + 5));
  await postgres.store.appendToStream(name, [withdrawn(60, 'cut')]);

  const asOf = await aggregateStream(postgres.store, name, { ...accountFold, read: { until: second.recordedAt } });
  const beforeAll = await aggregateStream(postgres.store, name, { ...accountFold, read: { until: new Date(Date.parse(second.recordedAt) - 60_000).toISOString() } });
  const now = await aggregateStream(postgres.store, name, accountFold);

  expect([asOf.state.balance, asOf.eventCount, asOf.revision]).toEqual([60, 2, 1]);
  expect([beforeAll.state.balance, beforeAll.eventCount, beforeAll.revision]).toEqual([0, 0, -1]);
  expect([now.state.balance, now.eventCount, now.revision]).toEqual([0, 3, 2]);
});

test('read.fromRevision / toRevision fold a slice: the revision is the last folded one', async () => {
  const name = account();
  await postgres.store.appendToStream(name, [deposited(1), deposited(2), deposited(4), deposited(8)]);

  const middle = await aggregateStream(postgres.store, name, { ...accountFold, read: { fromRevision: 1, toRevision: 2 } });

  expect([middle.state.balance, middle.eventCount, middle.revision]).toEqual([6, 2, 2]);
});

test('an event type the fold does not know reaches evolve like any other and counts, and the fold goes on', async () => {
  const name = account();
  const hostileData = JSON.parse('{"__proto__": {"polluted": true}, "constructor": {"prototype": {"polluted": true}}}');
  await postgres.store.appendToStream(name, [deposited(50), newEvent({ type: 'AccountFrozen', data: hostileData }), withdrawn(20, 'cut')]);
  const { types, evolve } = recording();

  const { state, eventCount, revision } = await aggregateStream(postgres.store, name, { ...accountFold, evolve });

  expect(types).toEqual(['Deposited', 'AccountFrozen', 'Withdrawn']);
  expect([state.balance, eventCount, revision]).toEqual([30, 3, 2]);
  expect(state.seen.map(({ revision: seenRevision }) => seenRevision)).toEqual([0, 1, 2]);
  expect(({} as { polluted?: boolean }).polluted).toBeUndefined();
});

test('a long stream folds without recursion, every event once', async () => {
  const name = account();
  for (let batch = 0; batch < 5; batch++)
    await postgres.store.appendToStream(
      name,
      Array.from({ length: 400 }, () => deposited(1)),
    );

  const { state, eventCount, revision } = await aggregateStream(postgres.store, name, accountFold);

  expect([state.balance, eventCount, revision]).toEqual([2_000, 2_000, 1_999]);
});

test('a hostile stream name is just a stream without events', async () => {
  for (const name of ['__proto__', 'constructor', `account-${'x'.repeat(10_000)}`, 'account-\u{1F600}']) {
    expect(await aggregateStream(postgres.store, name, accountFold)).toEqual({ state: { balance: 0, reasons: [], seen: [] }, eventCount: 0, revision: -1 });
  }
});
