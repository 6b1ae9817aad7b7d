import { randomUUID } from 'node:crypto';
import { DuplicateEventIdError, START, WrongExpectedRevisionError, type EventStore } from '../src/event-store.port.js';
import { expectAscending, metadata, newEvent, newEvents, readAllOnceVisible, readAllPages, uniquePrefix } from './event-store.fixtures.js';
import { eventually } from '#test-support/eventually';

export interface EventStoreUnderTest {
  store: EventStore;
  dispose(): Promise<void>;
}

/** Where a backend knowingly differs from the port's ideal; each difference is documented with the adapter. */
export interface ContractDifferences {
  /** EventStoreDB recognises event ids only within one stream: the same id in another stream is a new event. */
  eventIdsUniquePerStreamOnly?: boolean;
}

/** The behaviour every EventStore adapter must show; run it once per adapter against a real server. */
export function describeEventStoreContract(label: string, createStore: () => Promise<EventStoreUnderTest>, differences: ContractDifferences = {}): void {
  describe(`${label}: event store contract`, () => {
    let store: EventStore;
    let dispose: () => Promise<void>;
    const stream = () => `appointment-${randomUUID()}`;

    beforeAll(async () => ({ store, dispose } = await createStore()));
    afterAll(() => dispose());

    describe('append and read a stream', () => {
      test('events come back in order with 0-based revisions, their data, metadata and recording time', async () => {
        const name = stream();
        const meta = metadata({ actor: 'calcom:webhook', source: 'calcom', causationId: randomUUID(), reason: 'moved by guest', attempt: 2 });
        const events = [newEvent('AppointmentBooked', { at: '2030-01-01T09:00:00.000Z', tags: ['a', 'b'] }, meta), newEvent('AppointmentRescheduled', [1, 'two', null])];
        const before = Date.now();

        const result = await store.appendToStream(name, events, { expectedRevision: 'no_stream' });
        const read = await store.readStream(name);

        expect(read.map(({ id, streamName, type, data, metadata, revision }) => ({ id, streamName, type, data, metadata, revision }))).toEqual([
          { id: events[0].id, streamName: name, type: 'AppointmentBooked', data: events[0].data, metadata: meta, revision: 0 },
          { id: events[1].id, streamName: name, type: 'AppointmentRescheduled', data: [1, 'two', null], metadata: events[1].metadata, revision: 1 },
        ]);
        expect(result).toEqual({ nextExpectedRevision: 1, position: read[1].position });
        expectAscending(store, [START, read[0].position, read[1].position]);
        for (const { recordedAt } of read) {
          expect(recordedAt).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
          expect(Date.parse(recordedAt)).toBeGreaterThanOrEqual(before - 1_000);
          expect(Date.parse(recordedAt)).toBeLessThanOrEqual(Date.now() + 1_000);
        }
      });

      test("readStream<E> hands back the caller's event union, narrowed by type, with each event's place", async () => {
        type Booked = { type: 'AppointmentBooked'; data: { slot: string } };
        type Noted = { type: 'AppointmentNoted'; data: { index: number } };
        const name = stream();
        await store.appendToStream(name, [newEvent('AppointmentBooked', { slot: '2030-01-01T09:00:00.000Z' }), newEvent('AppointmentNoted', { index: 7 })]);

        const read = await store.readStream<Booked | Noted>(name);

        // No cast: `type` narrows `data`, and the place in the store comes along.
        const described = read.map((event) => (event.type === 'AppointmentBooked' ? `booked ${event.data.slot}` : `noted ${event.data.index}`));
        expect(described).toEqual(['booked 2030-01-01T09:00:00.000Z', 'noted 7']);
        expect(read.map(({ streamName, revision, metadata }) => [streamName, revision, metadata.actor])).toEqual([
          [name, 0, 'admin:alice'],
          [name, 1, 'admin:alice'],
        ]);
      });

      test('a stream that was never written reads as empty', async () => {
        expect(await store.readStream(stream())).toEqual([]);
      });

      test('readStream honours fromRevision and an inclusive toRevision', async () => {
        const name = stream();
        const events = newEvents(5);
        await store.appendToStream(name, events);

        const middle = await store.readStream(name, { fromRevision: 1, toRevision: 3 });
        const tail = await store.readStream(name, { fromRevision: 3 });

        expect(middle.map((event) => [event.revision, event.id])).toEqual([1, 2, 3].map((revision) => [revision, events[revision].id]));
        expect(tail.map((event) => event.revision)).toEqual([3, 4]);
      });

      test('readStream until a time returns what was recorded at or before it', async () => {
        const name = stream();
        await store.appendToStream(name, newEvents(2));
        const [, second] = await store.readStream(name);
        await eventually(() => expect(Date.now()).toBeGreaterThan(Date.parse(second.recordedAt) + 5));
        await store.appendToStream(name, newEvents(1));

        const asOfSecond = await store.readStream(name, { until: second.recordedAt });
        const beforeAll = await store.readStream(name, { until: new Date(Date.parse(second.recordedAt) - 60_000).toISOString() });

        expect(asOfSecond.map((event) => event.revision)).toEqual([0, 1]);
        expect(beforeAll).toEqual([]);
        expect(await store.readStream(name)).toHaveLength(3);
      });
    });

    describe('expected revision', () => {
      test('no_stream succeeds on a new stream and fails once it exists', async () => {
        const name = stream();
        await store.appendToStream(name, [newEvent()], { expectedRevision: 'no_stream' });

        const second = store.appendToStream(name, [newEvent()], { expectedRevision: 'no_stream' });

        await expect(second).rejects.toThrow(WrongExpectedRevisionError);
        await expect(second).rejects.toMatchObject({ streamName: name, expected: 'no_stream', actual: 0 });
        expect(await store.readStream(name)).toHaveLength(1);
      });

      test('an exact revision must be the current one', async () => {
        const name = stream();
        const first = await store.appendToStream(name, newEvents(2), { expectedRevision: 'no_stream' });
        const next = await store.appendToStream(name, [newEvent()], { expectedRevision: first.nextExpectedRevision });

        const stale = store.appendToStream(name, [newEvent()], { expectedRevision: 1 });
        const onMissingStream = store.appendToStream(stream(), [newEvent()], { expectedRevision: 0 });

        expect(next.nextExpectedRevision).toBe(2);
        await expect(stale).rejects.toMatchObject({ name: 'WrongExpectedRevisionError', expected: 1, actual: 2 });
        await expect(onMissingStream).rejects.toMatchObject({ name: 'WrongExpectedRevisionError', expected: 0, actual: 'no_stream' });
        expect(await store.readStream(name)).toHaveLength(3);
      });

      test('any appends whatever the stream holds, and is the default', async () => {
        const name = stream();
        const first = await store.appendToStream(name, [newEvent()], { expectedRevision: 'any' });
        const second = await store.appendToStream(name, newEvents(2));

        expect([first.nextExpectedRevision, second.nextExpectedRevision]).toEqual([0, 2]);
      });

      test('of writers racing with the same expected revision exactly one wins', async () => {
        const name = stream();
        await store.appendToStream(name, [newEvent()]);
        const writers = Array.from({ length: 8 }, (_, writer) => store.appendToStream(name, [newEvent('AppointmentNoted', { writer })], { expectedRevision: 0 }));

        const outcomes = await Promise.allSettled(writers);

        const winners = outcomes.filter((outcome) => outcome.status === 'fulfilled');
        const losers = outcomes.flatMap((outcome) => (outcome.status === 'rejected' ? [outcome.reason] : []));
        expect(winners).toHaveLength(1);
        expect(losers).toHaveLength(7);
        for (const loser of losers) expect(loser).toBeInstanceOf(WrongExpectedRevisionError);
        expect((await store.readStream(name)).map((event) => event.revision)).toEqual([0, 1]);
      });

      test('racing writers that each create a new stream: one wins', async () => {
        const name = stream();
        const outcomes = await Promise.allSettled(Array.from({ length: 6 }, () => store.appendToStream(name, [newEvent()], { expectedRevision: 'no_stream' })));

        expect(outcomes.filter((outcome) => outcome.status === 'fulfilled')).toHaveLength(1);
        expect(await store.readStream(name)).toHaveLength(1);
      });
    });

    describe('idempotent append by event id', () => {
      test('appending the same events again returns the original result and writes nothing', async () => {
        const prefix = uniquePrefix();
        const name = `${prefix}1`;
        const events = newEvents(3);
        const original = await store.appendToStream(name, events, { expectedRevision: 'no_stream' });
        await store.appendToStream(name, [newEvent()]);

        const retried = await store.appendToStream(name, events, { expectedRevision: 'no_stream' });
        const retriedWithAny = await store.appendToStream(name, events);

        expect(retried).toEqual(original);
        expect(retriedWithAny).toEqual(original);
        expect((await store.readStream(name)).map((event) => event.id)).toEqual([...events.map((event) => event.id), expect.any(String)]);
        expect((await readAllOnceVisible(store, [prefix], 4)).map((event) => event.id).slice(0, 3)).toEqual(events.map((event) => event.id));
      });

      test('a retry after a lost reply succeeds although the stream has moved on', async () => {
        const name = stream();
        await store.appendToStream(name, [newEvent()]);
        const events = newEvents(2);
        const original = await store.appendToStream(name, events, { expectedRevision: 0 });
        await store.appendToStream(name, [newEvent()], { expectedRevision: 2 });

        expect(await store.appendToStream(name, events, { expectedRevision: 0 })).toEqual(original);
        expect(await store.readStream(name)).toHaveLength(4);
      });

      test('an event id reused with other content or in another place is rejected', async () => {
        const name = stream();
        const original = newEvent('AppointmentBooked', { slot: 'A' });
        await store.appendToStream(name, [original], { expectedRevision: 'no_stream' });

        const attempts = [
          store.appendToStream(name, [{ ...original, data: { slot: 'B' } }]),
          store.appendToStream(name, [{ ...original, type: 'AppointmentCancelled' }]),
          ...(differences.eventIdsUniquePerStreamOnly ? [] : [store.appendToStream(stream(), [original])]),
          store.appendToStream(name, [original, newEvent()]),
          store.appendToStream(name, [original], { expectedRevision: 0 }),
        ];

        for (const attempt of attempts) {
          await expect(attempt).rejects.toThrow(DuplicateEventIdError);
          await expect(attempt).rejects.toMatchObject({ eventId: original.id });
        }
        expect(await store.readStream(name)).toHaveLength(1);
      });

      test('the same id twice in one append is rejected and nothing is written', async () => {
        const name = stream();
        const event = newEvent();

        await expect(store.appendToStream(name, [event, event])).rejects.toThrow(DuplicateEventIdError);
        expect(await store.readStream(name)).toEqual([]);
      });
    });

    describe('read all', () => {
      test('the head is at or after the newest committed event (a log may hold records of its own after it)', async () => {
        const before = await store.headPosition();
        const { position } = await store.appendToStream(stream(), [newEvent(), newEvent()]);
        const head = await store.headPosition();

        expect(store.comparePositions(head, position)).toBeGreaterThanOrEqual(0);
        expect(store.comparePositions(head, before)).toBeGreaterThan(0);
      });

      test('pages through every event once, in an order that keeps each stream in revision order', async () => {
        const prefix = uniquePrefix();
        const appended: string[] = [];
        for (const [index, count] of [3, 1, 2, 1].entries()) {
          const events = newEvents(count);
          await store.appendToStream(`${prefix}${index % 3}`, events);
          appended.push(...events.map((event) => event.id));
        }
        await readAllOnceVisible(store, [prefix], 7);

        const pages = [];
        let position = START;
        for (let page = 0; page < 3; page++) {
          const result = await store.readAll({ after: position, limit: 3, streamPrefixes: [prefix] });
          pages.push(result.events);
          position = result.position;
        }
        const afterEnd = await store.readAll({ after: position, limit: 3, streamPrefixes: [prefix] });

        expect(pages.map((page) => page.length)).toEqual([3, 3, 1]);
        const events = pages.flat();
        expect(events.map((event) => event.id)).toEqual(appended);
        expectAscending(
          store,
          events.map((event) => event.position),
        );
        expect(afterEnd.events).toEqual([]);
        expect(store.comparePositions(afterEnd.position, position)).toBeGreaterThanOrEqual(0);
        expect(events.find((event) => event.streamName === `${prefix}1`)).toMatchObject({ revision: 0 });
      });

      test('returns events exactly as readStream does, at the position the append reported', async () => {
        const prefix = uniquePrefix();
        const name = `${prefix}appointment`;
        const result = await store.appendToStream(name, [newEvent('AppointmentBooked', { n: 1 }, metadata({ reason: 'walk-in' }))]);

        const [fromAll] = await readAllOnceVisible(store, [prefix], 1);

        expect(fromAll).toEqual((await store.readStream(name))[0]);
        expect(fromAll.position).toBe(result.position);
      });

      test('filters by stream prefix', async () => {
        const appointments = uniquePrefix();
        const staff = uniquePrefix();
        await store.appendToStream(`${appointments}1`, newEvents(2));
        await store.appendToStream(`${staff}1`, newEvents(1));
        await store.appendToStream(`${appointments}2`, newEvents(1));

        const onlyAppointments = await readAllOnceVisible(store, [appointments], 3);
        const both = await readAllOnceVisible(store, [appointments, staff], 4);

        expect(new Set(onlyAppointments.map((event) => event.streamName))).toEqual(new Set([`${appointments}1`, `${appointments}2`]));
        expect(both.map((event) => event.streamName)).toEqual([`${appointments}1`, `${appointments}1`, `${staff}1`, `${appointments}2`]);
      });

      test('reads from START and continues strictly after a position', async () => {
        const prefix = uniquePrefix();
        await store.appendToStream(`${prefix}1`, newEvents(3));
        const [first, ...rest] = await readAllOnceVisible(store, [prefix], 3);

        const afterFirst = await store.readAll({ after: first.position, streamPrefixes: [prefix] });

        expect(afterFirst.events.map((event) => event.id)).toEqual(rest.map((event) => event.id));
      });
    });

    describe('positions and waiting', () => {
      test('START comes before every position and a position equals itself', async () => {
        const name = stream();
        const { position } = await store.appendToStream(name, [newEvent()]);

        expect(store.comparePositions(START, position)).toBeLessThan(0);
        expect(store.comparePositions(position, START)).toBeGreaterThan(0);
        expect(store.comparePositions(position, position)).toBe(0);
        expect(store.comparePositions(START, START)).toBe(0);
      });

      test('waitForEventsAfter resolves once an event is appended after the position', async () => {
        const { position } = await readAllPages(store);
        const waiting = store.waitForEventsAfter(position);
        const prefix = uniquePrefix();

        await store.appendToStream(`${prefix}1`, [newEvent()]);
        await waiting;

        await readAllOnceVisible(store, [prefix], 1);
      });

      test('waitForEventsAfter returns when its signal aborts', async () => {
        const { position } = await readAllPages(store);
        const abort = new AbortController();
        const waiting = store.waitForEventsAfter(position, abort.signal);

        abort.abort();

        await expect(waiting).resolves.toBeUndefined();
      });
    });
  });
}
