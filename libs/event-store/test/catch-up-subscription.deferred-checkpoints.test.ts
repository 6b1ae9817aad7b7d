import type { DeferredCheckpoints } from '../src/catch-up-subscription.js';
import { START, type Position, type RecordedEvent } from '../src/event-store.port.js';
import type { ParkedEvent } from '../src/subscription-incidents.js';
import { eventually } from '#test-support/eventually';
import { newEvent, newEvents, uniquePrefix } from './event-store.fixtures.js';
import { catchUpWorldForFile } from './catch-up-subscription.world.js';

const world = catchUpWorldForFile('subscription_deferred', 8, { retry: { initialDelayMs: 1, maxDelayMs: 4 } });
const { subscribe } = world;

/** A worker that acts on `Wanted` events only; its checkpoint saves are counted, and written to the checkpoint store. */
function worker(name: string, settings: Partial<DeferredCheckpoints> = {}) {
  const handled: RecordedEvent[][] = [];
  const saves: Position[] = [];
  const deferredCheckpoints: DeferredCheckpoints = {
    save: async (position) => {
      saves.push(position);
      await world.checkpoints.save(name, position);
    },
    relevant: (event) => event.type === 'Wanted',
    maxEvents: 50,
    maxDelayMs: 60_000,
    ...settings,
  };
  const handle = async (events: RecordedEvent[]) => void handled.push(events);
  return { handled, saves, handle, deferredCheckpoints, saved: () => world.checkpoints.load(name) };
}

async function append(prefix: string, count: number, type = 'AppointmentNoted'): Promise<Position> {
  return (await world.store.appendToStream(`${prefix}0`, type === 'Wanted' ? [newEvent('Wanted')] : newEvents(count, type))).position;
}

test('a batch with nothing relevant is not handed over and writes no checkpoint until maxEvents lie behind the saved one; a handled batch is saved at once; stop saves the rest', async () => {
  const prefix = uniquePrefix();
  const name = `deferred-${prefix}`;
  const { handled, saves, handle, deferredCheckpoints, saved } = worker(name);
  const subscription = subscribe({ name, streamPrefixes: [prefix], handle, deferredCheckpoints });
  await subscription.start();

  const irrelevant = await append(prefix, 10);
  await subscription.waitUntilProcessed(irrelevant, 10_000);
  expect(handled).toEqual([]);
  expect(saves).toEqual([]);
  expect(await saved()).toBe(START);

  const wanted = await append(prefix, 1, 'Wanted');
  await subscription.waitUntilProcessed(wanted, 10_000);
  expect(handled.flat().map((event) => event.type)).toEqual(['Wanted']);
  expect(saves).toEqual([wanted]);
  expect(await saved()).toBe(wanted);

  const many = await append(prefix, 60);
  await subscription.waitUntilProcessed(many, 10_000);
  await eventually(async () => expect(await saved()).toBe(many));
  const savesSoFar = saves.length;

  const few = await append(prefix, 5);
  await subscription.waitUntilProcessed(few, 10_000);
  expect(saves).toHaveLength(savesSoFar);
  expect(await saved()).toBe(many);

  await subscription.stop();
  expect(await saved()).toBe(few);
  expect(handled.flat().map((event) => event.type)).toEqual(['Wanted']);
});

test('without a stop (a crash), the next run resumes from the older checkpoint and goes over only what was not relevant', async () => {
  const prefix = uniquePrefix();
  const name = `deferred-crash-${prefix}`;
  const first = worker(name);
  const crashed = subscribe({ name, streamPrefixes: [prefix], handle: first.handle, deferredCheckpoints: { ...first.deferredCheckpoints, save: async () => undefined } });
  await crashed.start();
  const wanted = await append(prefix, 1, 'Wanted');
  await world.checkpoints.save(name, wanted);
  const after = await append(prefix, 3);
  await crashed.waitUntilProcessed(after, 10_000);
  expect(await first.saved()).toBe(wanted);

  const second = worker(name);
  const next = subscribe({ name, streamPrefixes: [prefix], handle: second.handle, deferredCheckpoints: second.deferredCheckpoints });
  await next.start();
  await next.waitUntilProcessed(after, 10_000);
  expect(second.handled).toEqual([]);
});

test("defer 'all': the positions of handled batches wait too, and are saved once due or on stop", async () => {
  const prefix = uniquePrefix();
  const name = `deferred-all-${prefix}`;
  const { handled, saves, handle, deferredCheckpoints, saved } = worker(name, { defer: 'all', relevant: undefined, maxEvents: 20 });
  const subscription = subscribe({ name, streamPrefixes: [prefix], handle, deferredCheckpoints });
  await subscription.start();

  const some = await append(prefix, 5);
  await subscription.waitUntilProcessed(some, 10_000);
  expect(handled.flat()).toHaveLength(5);
  expect(saves).toEqual([]);

  const more = await append(prefix, 30);
  await subscription.waitUntilProcessed(more, 10_000);
  await eventually(async () => expect(await saved()).toBe(more));

  const last = await append(prefix, 2);
  await subscription.waitUntilProcessed(last, 10_000);
  expect(await saved()).toBe(more);
  await subscription.stop();
  expect(await saved()).toBe(last);
});

test('a relevant event the handler keeps refusing is parked, and the events after it are handled', async () => {
  const prefix = uniquePrefix();
  const name = `deferred-park-${prefix}`;
  const handled: string[] = [];
  const parked: ParkedEvent[] = [];
  const { deferredCheckpoints, saved } = worker(name, { relevant: (event) => event.type !== 'Ignored' });
  const subscription = subscribe({
    name,
    streamPrefixes: [prefix],
    handle: async (events) => {
      if (events.some((event) => event.type === 'Poison')) throw new Error('refused');
      handled.push(...events.map((event) => event.type));
    },
    deferredCheckpoints,
    parking: { batchAttempts: 1, eventAttempts: 2 },
    onParked: (event) => parked.push(event),
  });
  await subscription.start();
  for (const type of ['Fine', 'Ignored', 'Poison', 'Ignored', 'Fine']) await world.store.appendToStream(`${prefix}0`, [newEvent(type)]);
  const end = await append(prefix, 1, 'Wanted');

  await subscription.waitUntilProcessed(end, 10_000);
  expect(parked.map((event) => event.eventType)).toEqual(['Poison']);
  expect(handled).toEqual(['Fine', 'Fine', 'Wanted']);
  expect(await saved()).toBe(end);
});

test('the position of a parked event is saved at once, not deferred: a crash right after must not park it twice', async () => {
  const prefix = uniquePrefix();
  const name = `deferred-park-saved-${prefix}`;
  const parked: ParkedEvent[] = [];
  const { deferredCheckpoints, saved } = worker(name, { relevant: () => true });
  const subscription = subscribe({
    name,
    streamPrefixes: [prefix],
    handle: async () => {
      throw new Error('refused');
    },
    deferredCheckpoints,
    parking: { batchAttempts: 1, eventAttempts: 2 },
    onParked: (event) => parked.push(event),
  });
  await subscription.start();
  const poison = (await world.store.appendToStream(`${prefix}0`, [newEvent('Poison')])).position;

  await eventually(() => expect(parked.map((event) => event.position)).toEqual([poison]));
  await eventually(async () => expect(await saved()).toBe(poison));
  await subscription.stop();
});
