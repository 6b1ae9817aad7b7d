import { START, type Position, type RecordedEvent } from '../src/event-store.port.js';
import type { PostgresEventStore } from '../src/postgres/postgres-event-store.js';
import type { ParkedEvent, SubscriptionFailure, SubscriptionIncidentLog } from '../src/subscription-incidents.js';
import { isOutage } from '../src/subscription-incidents.js';
import { eventually } from '#test-support/eventually';
import { newEvent, uniquePrefix } from './event-store.fixtures.js';
import { catchUpWorldForFile } from './catch-up-subscription.world.js';

const world = catchUpWorldForFile('subscription_parking', 8, { retry: { initialDelayMs: 1, maxDelayMs: 4 } });
const { subscribe } = world;

/** Appends one event per call (so they share no transaction); `poison` marks the ones the handler refuses. */
async function appendAll(prefix: string, kinds: ('ok' | 'poison')[]): Promise<{ ids: string[]; positions: Position[] }> {
  const ids: string[] = [];
  const positions: Position[] = [];
  for (const [index, kind] of kinds.entries()) {
    const event = newEvent(kind === 'poison' ? 'Poison' : 'Fine', { index });
    const { position } = await world.store.appendToStream(`${prefix}${index % 2}`, [event]);
    ids.push(event.id);
    positions.push(position);
  }
  return { ids, positions };
}

/** An incident log in memory that keeps every call, in order. */
function incidentLog() {
  const calls: { kind: 'failing' | 'recovered' | 'parked'; value: SubscriptionFailure | ParkedEvent | string }[] = [];
  const log: SubscriptionIncidentLog = {
    failing: async (failure) => void calls.push({ kind: 'failing', value: { ...failure } }),
    recovered: async (name) => void calls.push({ kind: 'recovered', value: name }),
    parked: async (event) => void calls.push({ kind: 'parked', value: event }),
  };
  return { log, calls };
}

/** A handler that refuses any batch holding a `Poison` event (as a projector refuses a value its column cannot hold). */
function refusingPoison(name: string) {
  const handled: string[] = [];
  const calls: RecordedEvent[][] = [];
  const handle = async (events: RecordedEvent[], position: Position) => {
    calls.push(events);
    if (events.some((event) => event.type === 'Poison')) throw Object.assign(new Error('value "2147483648" is out of range for type integer'), { code: '22003' });
    handled.push(...events.map((event) => event.id));
    await world.checkpoints.save(name, position);
  };
  return { handle, handled, calls };
}

test('a batch that keeps failing is narrowed to its poison event, which is parked; every other event is handled once, in order', async () => {
  const prefix = uniquePrefix();
  const name = `park-${prefix}`;
  const kinds = ['ok', 'ok', 'ok', 'poison', 'ok', 'ok', 'ok', 'ok', 'poison', 'ok', 'ok'] as const;
  const { ids, positions } = await appendAll(prefix, [...kinds]);
  const { handle, handled, calls } = refusingPoison(name);
  const incidents = incidentLog();
  const onParked: ParkedEvent[] = [];
  const subscription = subscribe({
    name,
    streamPrefixes: [prefix],
    batchSize: 20,
    handle,
    incidents: incidents.log,
    onParked: (event) => onParked.push(event),
    parking: { batchAttempts: 2, eventAttempts: 3 },
  });

  await subscription.start();
  await subscription.waitUntilProcessed(positions.at(-1)!, 10_000);

  expect(handled).toEqual(ids.filter((_, index) => kinds[index] === 'ok'));
  const parked = incidents.calls.filter((call) => call.kind === 'parked').map((call) => call.value as ParkedEvent);
  expect(parked.map(({ eventId, position, eventType, attempts, subscription: who }) => ({ eventId, position, eventType, attempts, who }))).toEqual(
    // Its 3 attempts, and one more once an empty batch showed the handler works without it.
    [3, 8].map((index) => ({ eventId: ids[index], position: positions[index], eventType: 'Poison', attempts: 4, who: name })),
  );
  expect(parked[0].error).toContain('out of range for type integer');
  expect(parked[0].streamName).toBe(`${prefix}1`);
  expect(onParked).toEqual(parked);
  expect(subscription.parked).toEqual(parked);
  // Each poison event was tried alone exactly `eventAttempts` + 1 times.
  for (const index of [3, 8]) expect(calls.filter((batch) => batch.length === 1 && batch[0].id === ids[index])).toHaveLength(4);
  expect(await world.checkpoints.load(name)).toBe(subscription.position);
  expect(subscription.failure).toBeNull();
  expect(incidents.calls.at(-1)).toEqual({ kind: 'recovered', value: name });
});

test('while it retries, the failure names the event, its position and the error, with growing attempts', async () => {
  const prefix = uniquePrefix();
  const name = `stalled-${prefix}`;
  const { ids, positions } = await appendAll(prefix, ['ok', 'poison']);
  const { handle } = refusingPoison(name);
  const incidents = incidentLog();
  const subscription = subscribe({
    name,
    streamPrefixes: [prefix],
    handle,
    incidents: incidents.log,
    retry: { initialDelayMs: 60_000, maxDelayMs: 60_000 },
    parking: { batchAttempts: 1, eventAttempts: 3 },
  });

  await subscription.start();

  await eventually(() => expect(subscription.failure?.event?.eventId).toBe(ids[1]), 15_000);
  expect(subscription.failure).toMatchObject({ subscription: name, phase: 'handle', position: positions[0], attempts: 1, event: { position: positions[1], eventType: 'Poison' } });
  expect(subscription.failure!.error).toContain('out of range');
  expect(incidents.calls.at(-1)).toMatchObject({ kind: 'failing', value: { event: { eventId: ids[1] } } });
  expect(subscription.parked).toEqual([]);
});

test('the next page, read while the poison event backs off, does not clear its failure', async () => {
  const prefix = uniquePrefix();
  const name = `prefetch-${prefix}`;
  const { ids, positions } = await appendAll(prefix, ['ok', 'poison']);
  // The read of the page after the poison event (the prefetch) is held until the event has failed, then let through.
  let releaseRead!: () => void;
  const readHeld = new Promise<void>((resolve) => (releaseRead = resolve));
  let readsPastPoison = 0;
  const held = Object.create(world.store) as PostgresEventStore;
  held.readAll = async (options) => {
    if (world.store.comparePositions(options?.after ?? START, positions[1]) < 0) return world.store.readAll(options);
    await readHeld;
    const page = await world.store.readAll(options);
    readsPastPoison++;
    return page;
  };
  const incidents = incidentLog();
  const subscription = subscribe(
    {
      name,
      streamPrefixes: [prefix],
      handle: refusingPoison(name).handle,
      incidents: incidents.log,
      retry: { initialDelayMs: 60_000, maxDelayMs: 60_000 },
      parking: { batchAttempts: 1, eventAttempts: 3 },
      // A full page, so the page after it is read ahead (a short one means the end: nothing is read ahead).
      batchSize: 2,
    },
    held,
  );
  await subscription.start();
  await eventually(() => expect(subscription.failure?.event?.eventId).toBe(ids[1]), 15_000);

  releaseRead();
  await eventually(() => expect(readsPastPoison).toBeGreaterThan(0));

  expect(subscription.failure).toMatchObject({ phase: 'handle', attempts: 1, event: { eventId: ids[1] } });
  expect(incidents.calls.at(-1)).toMatchObject({ kind: 'failing', value: { event: { eventId: ids[1] } } });
});

test('a reader waiting for the poison event, or beyond it, is released once it is parked', async () => {
  const prefix = uniquePrefix();
  const name = `waiters-${prefix}`;
  const { positions } = await appendAll(prefix, ['poison', 'ok']);
  const subscription = subscribe({ name, streamPrefixes: [prefix], handle: refusingPoison(name).handle });
  await subscription.start();

  await expect(subscription.waitUntilProcessed(positions[0], 10_000)).resolves.toBeUndefined();
  await expect(subscription.waitUntilProcessed(positions[1], 10_000)).resolves.toBeUndefined();
  expect(subscription.parked.map((event) => event.position)).toEqual([positions[0]]);
});

test('the checkpoint moves past a parked event: a restart does not try it again', async () => {
  const prefix = uniquePrefix();
  const name = `restart-${prefix}`;
  const first = await appendAll(prefix, ['ok', 'poison']);
  const firstRun = subscribe({ name, streamPrefixes: [prefix], handle: refusingPoison(name).handle });
  await firstRun.start();
  await firstRun.waitUntilProcessed(first.positions[1], 10_000);
  await firstRun.stop();
  expect(await world.checkpoints.load(name)).toBe(first.positions[1]);

  const later = await appendAll(prefix, ['ok']);
  const { handle, calls, handled } = refusingPoison(name);
  const secondRun = subscribe({ name, streamPrefixes: [prefix], handle });
  await secondRun.start();
  await secondRun.waitUntilProcessed(later.positions[0], 10_000);

  expect(calls.flat().map((event) => event.id)).toEqual(later.ids);
  expect(handled).toEqual(later.ids);
  expect(secondRun.parked).toEqual([]);
});

test('an outage is waited out however long it lasts, never parked', async () => {
  const prefix = uniquePrefix();
  const name = `outage-${prefix}`;
  const { ids, positions } = await appendAll(prefix, ['ok', 'ok', 'ok']);
  let outagesLeft = 20;
  const handled: string[] = [];
  const subscription = subscribe({
    name,
    streamPrefixes: [prefix],
    parking: { batchAttempts: 1, eventAttempts: 1 },
    handle: async (events, position) => {
      if (outagesLeft-- > 0) throw Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
      handled.push(...events.map((event) => event.id));
      await world.checkpoints.save(name, position);
    },
  });
  await subscription.start();

  await subscription.waitUntilProcessed(positions[2], 10_000);
  expect(handled).toEqual(ids);
  expect(subscription.parked).toEqual([]);
});

test('a handler that fails on every event stops being fed to the parking lot after maxParkedInARow, and stays reported', async () => {
  const prefix = uniquePrefix();
  const name = `broken-${prefix}`;
  const { positions } = await appendAll(prefix, ['poison', 'poison', 'poison', 'poison']);
  const subscription = subscribe({ name, streamPrefixes: [prefix], handle: refusingPoison(name).handle, parking: { batchAttempts: 1, eventAttempts: 2, maxParkedInARow: 2 } });
  await subscription.start();

  await eventually(() => expect(subscription.failure?.attempts).toBeGreaterThan(10), 15_000);
  expect(subscription.parked.map((event) => event.position)).toEqual(positions.slice(0, 2));
  expect(subscription.failure?.event?.position).toBe(positions[2]);
  expect(subscription.position).toBe(positions[1]);
});

test('a store whose reads fail is retried without parking anything', async () => {
  const prefix = uniquePrefix();
  const name = `reads-${prefix}`;
  const { positions } = await appendAll(prefix, ['ok']);
  let failuresLeft = 3;
  const flaky = Object.create(world.store) as PostgresEventStore;
  flaky.readAll = async (options) => {
    if (failuresLeft-- > 0) throw new Error('Connection terminated unexpectedly');
    return world.store.readAll(options);
  };
  const subscription = subscribe(
    {
      name,
      streamPrefixes: [prefix],
      handle: refusingPoison(name).handle,
      loadCheckpoint: () => Promise.resolve(START),
    },
    flaky,
  );
  await subscription.start();

  await subscription.waitUntilProcessed(positions[0], 10_000);
  expect(subscription.parked).toEqual([]);
  expect(subscription.failure).toBeNull();
});

test('outages are told apart from poison: connection codes, wrapped driver errors and waits are outages', () => {
  expect(isOutage(Object.assign(new Error('x'), { code: 'ECONNRESET' }))).toBe(true);
  expect(isOutage({ name: 'QueryFailedError', message: 'terminating connection', driverError: { code: '57P01' } })).toBe(true);
  expect(isOutage(Object.assign(new Error('x'), { code: '08006' }))).toBe(true);
  expect(isOutage(Object.assign(new Error('timed out'), { name: 'WaitUntilProcessedTimeoutError' }))).toBe(true);
  expect(isOutage(Object.assign(new Error('out of range'), { code: '22003' }))).toBe(false);
  expect(isOutage(new TypeError("Cannot read properties of undefined (reading 'staffId')"))).toBe(false);
  expect(isOutage(null)).toBe(false);
});
