import { ANY, NO_STREAM, UnavailableError, WrongExpectedVersionError, convertToCommandError, type RecordedEvent as EsdbRecordedEvent } from '@eventstore/db-client';
import appendErrors from '@eventstore/db-client/dist/streams/appendToStream/unpackError.js';
import sharedMessages from '@eventstore/db-client/generated/shared_pb.js';
import statusMessages from '@eventstore/db-client/generated/status_pb.js';
import anyMessages from 'google-protobuf/google/protobuf/any_pb.js';
import emptyMessages from 'google-protobuf/google/protobuf/empty_pb.js';
import { DuplicateEventIdError, START, WrongExpectedRevisionError, type NewEvent, type RecordedEvent } from '../src/event-store.port.js';
import { toPortError } from '../src/eventstoredb/eventstoredb-errors.js';
import { toAllFilter } from '../src/eventstoredb/eventstoredb-filter.js';
import { buildFilteredReadRequest } from '../src/eventstoredb/eventstoredb-filtered-read.js';
import { fromStoredMetadata, toStoredMetadata, UnreadableEventError } from '../src/eventstoredb/eventstoredb-metadata.js';
import { compareEsdbPositions, decodeEsdbPosition, encodeEsdbPosition, InvalidEventStoreDbPositionError, laterEsdbPosition } from '../src/eventstoredb/eventstoredb-position.js';
import { toEventData, toRecordedEvent } from '../src/eventstoredb/eventstoredb-recorded-event.js';
import { recogniseRetriedAppend } from '../src/eventstoredb/eventstoredb-retried-append.js';
import { toEsdbExpectedRevision, toPortRevision } from '../src/eventstoredb/eventstoredb-revision.js';
import { metadata, newEvent, newEvents } from './event-store.fixtures.js';

describe('EventStoreDB mapping: revisions', () => {
  test("the port's expected revisions become the client's, numbers as bigint with the same 0-based meaning", () => {
    expect(toEsdbExpectedRevision('no_stream')).toBe(NO_STREAM);
    expect(toEsdbExpectedRevision('any')).toBe(ANY);
    expect(toEsdbExpectedRevision(0)).toBe(0n);
    expect(toEsdbExpectedRevision(41)).toBe(41n);
  });

  test.each([-1, 1.5, Number.NaN, Number.MAX_SAFE_INTEGER + 1])('expected revision %p is refused', (revision) => {
    expect(() => toEsdbExpectedRevision(revision)).toThrow(RangeError);
  });

  test('revisions the server reports become numbers, a missing stream stays "no_stream"', () => {
    expect(toPortRevision(7n)).toBe(7);
    expect(toPortRevision(0n)).toBe(0);
    expect(toPortRevision(NO_STREAM)).toBe('no_stream');
    expect(toPortRevision(-1n)).toBe('no_stream');
    expect(() => toPortRevision(2n ** 60n)).toThrow(RangeError);
  });
});

describe('EventStoreDB mapping: positions', () => {
  const beyondSafeIntegers = { commit: 2n ** 62n + 3n, prepare: 2n ** 62n + 1n };

  test('"<commit>/<prepare>" round-trips exactly, beyond Number\'s safe range', () => {
    const position = encodeEsdbPosition(beyondSafeIntegers);

    expect(position).toBe('4611686018427387907/4611686018427387905');
    expect(decodeEsdbPosition(position)).toEqual(beyondSafeIntegers);
    expect(decodeEsdbPosition(START)).toBeNull();
  });

  test('order: START first, then by commit, then by prepare, compared as numbers not text', () => {
    const ordered = [START, '0/0', '9/9', '10/0', '10/2', '10/10', '4611686018427387907/0'];

    for (let i = 0; i < ordered.length; i++) {
      for (let j = 0; j < ordered.length; j++) {
        expect(Math.sign(compareEsdbPositions(ordered[i], ordered[j]))).toBe(Math.sign(i - j));
      }
    }
    expect(laterEsdbPosition('10/2', '9/9')).toBe('10/2');
    expect(laterEsdbPosition(START, '0/0')).toBe('0/0');
  });

  test.each(['12:7', '', '1/', '/1', '-1/0', '1/2/3', 'end'])("%p is not an EventStoreDB position (PostgreSQL's included)", (position) => {
    expect(() => decodeEsdbPosition(position)).toThrow(InvalidEventStoreDbPositionError);
    expect(() => compareEsdbPositions(position, START)).toThrow(InvalidEventStoreDbPositionError);
  });
});

describe('EventStoreDB mapping: metadata', () => {
  test('correlation and causation ids go under $correlationId and $causationId, other fields as they are, and come back equal', () => {
    const original = metadata({ actor: 'calcom:webhook', source: 'calcom', causationId: 'cause-1', reason: 'moved by guest', attempt: 2, nested: { a: [1] } });

    const stored = toStoredMetadata(original);
    const read = fromStoredMetadata(JSON.parse(JSON.stringify(stored)), { id: 'e', streamName: 's' });

    expect(stored).toEqual({
      $correlationId: original.correlationId,
      $causationId: 'cause-1',
      actor: 'calcom:webhook',
      source: 'calcom',
      reason: 'moved by guest',
      attempt: 2,
      nested: { a: [1] },
    });
    expect(read).toEqual({ metadata: original, originalRecordedAt: null, ledgerHash: null });
  });

  test('a null causation id is left out of the stored metadata and read back as null', () => {
    const original = metadata({ causationId: null });

    const stored = toStoredMetadata(original);

    expect(stored).not.toHaveProperty('$causationId');
    expect(fromStoredMetadata(stored, { id: 'e', streamName: 's' }).metadata).toEqual(original);
  });

  test('the original recording time of a copied event travels beside the metadata, not in it', () => {
    const original = metadata();

    const stored = toStoredMetadata(original, '2024-03-01T08:00:00.123Z');
    const read = fromStoredMetadata(stored, { id: 'e', streamName: 's' });

    expect(stored.originalRecordedAt).toBe('2024-03-01T08:00:00.123Z');
    expect(read).toEqual({ metadata: original, originalRecordedAt: '2024-03-01T08:00:00.123Z', ledgerHash: null });
  });

  test.each([
    ['bytes', new Uint8Array([1, 2])],
    ['no metadata', undefined],
    ['an array', [1]],
    ['no $correlationId', { actor: 'admin:alice', source: 'admin' }],
  ])('metadata that is not ours (%s) is refused, naming the event', (_, stored) => {
    const read = () => fromStoredMetadata(stored, { id: 'event-1', streamName: 'appointment-1' });

    expect(read).toThrow(UnreadableEventError);
    expect(read).toThrow(/^Event event-1 in appointment-1 is not a ledger event/);
  });
});

describe('EventStoreDB mapping: events', () => {
  const created = new Date('2030-01-02T03:04:05.678Z');

  function esdbEvent(overrides: Partial<Record<keyof EsdbRecordedEvent, unknown>> = {}): EsdbRecordedEvent {
    return {
      streamId: 'appointment-1',
      id: '0e7e5b8a-8d3f-4a53-9d8e-3f2c1a4b5c6d',
      isJson: true,
      revision: 3n,
      type: 'AppointmentBooked',
      created,
      data: { slot: 'A' },
      metadata: toStoredMetadata(metadata({ correlationId: 'corr-1' })),
      position: { commit: 200n, prepare: 150n },
      ...overrides,
    } as EsdbRecordedEvent;
  }

  test('a new event keeps its id, goes as JSON, and carries the stored metadata', () => {
    const event = newEvent('AppointmentBooked', { slot: 'A' }, metadata({ correlationId: 'corr-1', causationId: 'cause-1' }));

    expect(toEventData(event)).toEqual({
      id: event.id,
      contentType: 'application/json',
      type: 'AppointmentBooked',
      data: { slot: 'A' },
      metadata: toStoredMetadata(event.metadata),
    });
  });

  test("a recorded event: revision as number, position encoded, recordedAt from the server's created", () => {
    expect(toRecordedEvent(esdbEvent())).toEqual({
      id: '0e7e5b8a-8d3f-4a53-9d8e-3f2c1a4b5c6d',
      streamName: 'appointment-1',
      type: 'AppointmentBooked',
      data: { slot: 'A' },
      metadata: metadata({ correlationId: 'corr-1', actor: 'admin:alice' }),
      revision: 3,
      position: '200/150',
      recordedAt: '2030-01-02T03:04:05.678Z',
    });
  });

  test('a copied event reports the time it was first recorded, not the time of the copy', () => {
    const stored = toStoredMetadata(metadata(), '2024-03-01T08:00:00.123Z');

    expect(toRecordedEvent(esdbEvent({ metadata: stored })).recordedAt).toBe('2024-03-01T08:00:00.123Z');
  });

  test('binary data and a missing log position are refused', () => {
    expect(() => toRecordedEvent(esdbEvent({ isJson: false, data: new Uint8Array([1]) }))).toThrow(UnreadableEventError);
    expect(() => toRecordedEvent(esdbEvent({ position: undefined }))).toThrow(/22\.10 or later/);
  });
});

describe('EventStoreDB mapping: errors', () => {
  test("WrongExpectedVersionError from an append becomes the port's WrongExpectedRevisionError (the HTTP layer's 412)", () => {
    const fromAppend = new WrongExpectedVersionError(undefined, { streamName: 'appointment-1', expected: 1n, current: 2n });
    const onMissingStream = new WrongExpectedVersionError(undefined, { streamName: 'appointment-2', expected: 0n, current: NO_STREAM });

    const mapped = toPortError(fromAppend, 'appointment-1', 1);
    const missing = toPortError(onMissingStream, 'appointment-2', 0);

    expect(mapped).toBeInstanceOf(WrongExpectedRevisionError);
    expect(mapped).toMatchObject({ streamName: 'appointment-1', expected: 1, actual: 2 });
    expect(missing).toMatchObject({ name: 'WrongExpectedRevisionError', expected: 0, actual: 'no_stream' });
  });

  test('the batch-append error (a google.rpc.Status with WrongExpectedVersion details) maps the same way', () => {
    const details = new sharedMessages.WrongExpectedVersion();
    details.setCurrentStreamRevision('4');
    details.setExpectedNoStream(new emptyMessages.Empty());
    const packed = new anyMessages.Any();
    packed.pack(details.serializeBinary(), 'event_store.client.WrongExpectedVersion');
    const status = new statusMessages.Status();
    status.setDetails(packed);

    const clientError = appendErrors.unpackToCommandError(status, 'appointment-3');

    expect(clientError).toBeInstanceOf(WrongExpectedVersionError);
    expect(toPortError(clientError, 'appointment-3', 'no_stream')).toMatchObject({
      name: 'WrongExpectedRevisionError',
      streamName: 'appointment-3',
      expected: 'no_stream',
      actual: 4,
    });
  });

  test('a gRPC status error tagged wrong-expected-version (older servers) maps the same way', () => {
    const serviceError = Object.assign(new Error('9 FAILED_PRECONDITION: WrongExpectedVersion'), {
      code: 9,
      details: 'WrongExpectedVersion',
      metadata: {
        getMap: () => ({ exception: 'wrong-expected-version', 'stream-name': 'appointment-4', 'expected-version': '0', 'actual-version': '5' }),
      },
    });

    const clientError = convertToCommandError(serviceError);

    expect(clientError).toBeInstanceOf(WrongExpectedVersionError);
    expect(toPortError(clientError, 'appointment-4', 0)).toMatchObject({ expected: 0, actual: 5 });
  });

  test('other client errors pass through unchanged', () => {
    const unavailable = new UnavailableError(undefined, 'server gone');

    expect(toPortError(unavailable, 'appointment-1', 'any')).toBe(unavailable);
  });
});

describe('EventStoreDB mapping: $all filters', () => {
  test('stream prefixes become a server-side stream name filter', () => {
    expect(toAllFilter(['appointment-', 'staff-'])).toMatchObject({ filterOn: 'streamName', prefixes: ['appointment-', 'staff-'] });
  });

  test("without prefixes the server's own ($-typed) events are filtered out", () => {
    const filter = toAllFilter(undefined);

    expect(filter).toMatchObject({ filterOn: 'eventType', regex: '^[^$].*' });
    expect(toAllFilter([])).toEqual(filter);
  });

  test("the read request carries the filter, the count and the position, as the server's filtered $all read takes them", () => {
    const request = buildFilteredReadRequest({ from: { commit: 200n, prepare: 150n }, maxCount: 1001, filter: toAllFilter(['appointment-']) });

    const options = request.getOptions()!;
    expect(options.hasFilter()).toBe(true);
    expect(options.hasNoFilter()).toBe(false);
    expect(options.getFilter()!.getStreamIdentifier()!.getPrefixList()).toEqual(['appointment-']);
    expect(options.getFilter()!.hasEventType()).toBe(false);
    expect(options.getCount()).toBe('1001');
    expect(options.hasSubscription()).toBe(false);
    expect(options.getAll()!.getPosition()!.getCommitPosition()).toBe('200');
    expect(options.getAll()!.getPosition()!.getPreparePosition()).toBe('150');
    expect(options.getReadDirection()).toBe(0);
  });

  test('from START, with the system-event filter', () => {
    const request = buildFilteredReadRequest({ from: null, maxCount: 10, filter: toAllFilter(undefined) });

    const options = request.getOptions()!;
    expect(options.getAll()!.hasStart()).toBe(true);
    expect(options.getFilter()!.getEventType()!.getRegex()).toBe('^[^$].*');
    expect(options.getFilter()!.hasStreamIdentifier()).toBe(false);
  });
});

describe('EventStoreDB: recognising a retried append', () => {
  function recorded(events: NewEvent[], firstRevision = 0): RecordedEvent[] {
    return events.map((event, index) => ({
      ...event,
      data: JSON.parse(JSON.stringify(event.data)) as unknown,
      streamName: 'appointment-1',
      revision: firstRevision + index,
      position: `${100 + index}/${100 + index}`,
      recordedAt: '2030-01-01T00:00:00.000Z',
    }));
  }

  test('no known id: a new append', () => {
    expect(recogniseRetriedAppend(recorded(newEvents(2)), newEvents(2), 'any')).toBeNull();
    expect(recogniseRetriedAppend([], newEvents(1), 'no_stream')).toBeNull();
  });

  test("the same events where this call would have put them: the original append's last event", () => {
    const first = newEvents(3);
    const second = newEvents(2);
    const stream = recorded([...first, ...second]);

    expect(recogniseRetriedAppend(stream, first, 'no_stream')).toBe(stream[2]);
    expect(recogniseRetriedAppend(stream, first, 'any')).toBe(stream[2]);
    expect(recogniseRetriedAppend(stream, second, 2)).toBe(stream[4]);
    expect(recogniseRetriedAppend(stream, second, 'any')).toBe(stream[4]);
  });

  test('data with fields JSON leaves out still counts as the same', () => {
    const event = newEvent('AppointmentBooked', { slot: 'A', note: undefined });

    expect(recogniseRetriedAppend(recorded([event]), [event], 'no_stream')).not.toBeNull();
  });

  test.each([
    ['another place (expected 0 for the event at 0)', (events: NewEvent[]) => [[events[0]], 0] as const],
    ['other data', (events: NewEvent[]) => [[{ ...events[0], data: { other: true } }], 'no_stream'] as const],
    ['another type', (events: NewEvent[]) => [[{ ...events[0], type: 'AppointmentCancelled' }], 'any'] as const],
    ['a batch with a new id', (events: NewEvent[]) => [[events[0], newEvent()], 'no_stream'] as const],
    ['another order', (events: NewEvent[]) => [[events[1], events[0]], 'any'] as const],
    ['a batch that skips an event', (events: NewEvent[]) => [[events[0], events[2]], 'no_stream'] as const],
  ])('a known id reused in %s: DuplicateEventIdError', (_, attempt) => {
    const events = newEvents(3);
    const [batch, expected] = attempt(events);

    expect(() => recogniseRetriedAppend(recorded(events), [...batch], expected)).toThrow(DuplicateEventIdError);
  });
});
