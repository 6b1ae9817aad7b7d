import { EventStoreDBClient } from '@eventstore/db-client';
import { WrongExpectedRevisionError } from '../src/event-store.port.js';
import { EventStoreDbEventStore } from '../src/eventstoredb/eventstoredb-event-store.js';
import { toStoredMetadata } from '../src/eventstoredb/eventstoredb-metadata.js';
import { metadata, newEvent } from './event-store.fixtures.js';
import { startStreamsStub, type StreamsStub, type StubEvent } from './eventstoredb-wire.stub.js';

/**
 * The adapter and the real client against a scripted gRPC stub (see the stub): what goes on the wire and how the
 * answers come back. EventStoreDB's own behaviour is covered only by the contract suite against a live server.
 */
let stub: StreamsStub;
let client: EventStoreDBClient;
let store: EventStoreDbEventStore;

beforeEach(async () => {
  stub = await startStreamsStub();
  client = EventStoreDBClient.connectionString(stub.url);
  store = new EventStoreDbEventStore(client, { maxWaitMs: 5_000 });
});
afterEach(async () => {
  await store.close();
  await client.dispose();
  await stub.close();
});

const ledgerEvent = (revision: number, position: number, overrides: Partial<StubEvent> = {}): StubEvent => ({
  streamName: 'appointment-1',
  id: `00000000-0000-4000-8000-${String(position).padStart(12, '0')}`,
  revision,
  position: [position, position],
  metadata: toStoredMetadata(metadata({ correlationId: 'corr' })),
  ...overrides,
});
const systemEvent = (position: number): StubEvent => ({
  streamName: '$stats-0',
  id: '00000000-0000-4000-8000-999999999999',
  revision: 0,
  position: [position, position],
  type: '$statsCollected',
});

describe('EventStoreDB adapter on the wire', () => {
  test('readAll: a filtered $all read from the position, one over the page; the event at the position itself is dropped', async () => {
    stub.answerReads({ events: [systemEvent(900)] }, { events: [ledgerEvent(0, 200), ledgerEvent(1, 300), ledgerEvent(2, 400)] });

    const page = await store.readAll({ after: '200/200', limit: 2, streamPrefixes: ['appointment-', 'staff-'] });

    const [tail, filtered] = stub.reads.map((read) => read.getOptions()!);
    expect(tail.getReadDirection()).toBe(1);
    expect(tail.getAll()!.hasEnd()).toBe(true);
    expect(tail.getCount()).toBe('1');
    expect(filtered.getFilter()!.getStreamIdentifier()!.getPrefixList()).toEqual(['appointment-', 'staff-']);
    expect(filtered.getCount()).toBe('3');
    expect(filtered.getAll()!.getPosition()!.getCommitPosition()).toBe('200');
    expect(page.events.map((event) => [event.revision, event.position])).toEqual([
      [1, '300/300'],
      [2, '400/400'],
    ]);
    expect(page.position).toBe('400/400');
  });

  test('readAll: a short page moves on to the log tail read before it, past what the filter left out', async () => {
    stub.answerReads({ events: [systemEvent(900)] }, { events: [ledgerEvent(0, 300)] });

    const page = await store.readAll({ limit: 10 });

    expect(stub.reads[1].getOptions()!.getFilter()!.getEventType()!.getRegex()).toBe('^[^$].*');
    expect(stub.reads[1].getOptions()!.getAll()!.hasStart()).toBe(true);
    expect(page.events).toHaveLength(1);
    expect(page.position).toBe('900/900');
  });

  test('appendToStream: checks the stream for a retry, sends ids, JSON and stored metadata with the expected revision, reads back the position', async () => {
    const event = newEvent('AppointmentBooked', { slot: 'A' }, metadata({ correlationId: 'corr-1', causationId: 'cause-1' }));
    stub.answerReads(
      { streamNotFound: 'appointment-1' },
      { events: [ledgerEvent(0, 500, { id: event.id, type: 'AppointmentBooked', data: { slot: 'A' }, metadata: toStoredMetadata(event.metadata) })] },
    );
    stub.answerAppends({ currentRevision: 0, position: [1, 1] });

    const result = await store.appendToStream('appointment-1', [event], { expectedRevision: 'no_stream' });

    const [{ options, messages }] = stub.appends;
    expect(Buffer.from(options.getStreamIdentifier()!.getStreamName_asU8()).toString()).toBe('appointment-1');
    expect(options.hasNoStream()).toBe(true);
    expect(messages).toHaveLength(1);
    expect(messages[0].getId()!.getString()).toBe(event.id);
    expect(messages[0].getMetadataMap().get('type')).toBe('AppointmentBooked');
    expect(messages[0].getMetadataMap().get('content-type')).toBe('application/json');
    expect(JSON.parse(Buffer.from(messages[0].getData_asU8()).toString())).toEqual({ slot: 'A' });
    expect(JSON.parse(Buffer.from(messages[0].getCustomMetadata_asU8()).toString())).toMatchObject({ $correlationId: 'corr-1', $causationId: 'cause-1' });
    expect(stub.reads.map((read) => read.getOptions()!.getStream()!.getRevision())).toEqual(['0', '0']);
    expect(result).toEqual({ nextExpectedRevision: 0, position: '500/500' });
  });

  test('appendToStream: an exact expected revision goes as that number; a wrong one comes back as WrongExpectedRevisionError', async () => {
    stub.answerReads({ events: [ledgerEvent(0, 100)] });
    stub.answerAppends({ wrongExpectedVersion: { currentRevision: 4 } });

    const append = store.appendToStream('appointment-1', [newEvent()], { expectedRevision: 2 });

    await expect(append).rejects.toThrow(WrongExpectedRevisionError);
    await expect(append).rejects.toMatchObject({ streamName: 'appointment-1', expected: 2, actual: 4 });
    expect(stub.appends[0].options.getRevision()).toBe('2');
  });

  test('waitForEventsAfter: a filtered $all subscription after the position; resolves on the first later event', async () => {
    stub.answerReads({ subscription: [ledgerEvent(5, 700)] });

    await store.waitForEventsAfter('600/600');

    const options = stub.reads[0].getOptions()!;
    expect(options.hasSubscription()).toBe(true);
    expect(options.getAll()!.getPosition()!.getCommitPosition()).toBe('600');
    expect(options.getFilter()!.getEventType()!.getRegex()).toBe('^[^$].*');
  });

  test('waitForEventsAfter: the event at the position itself does not count', async () => {
    stub.answerReads({ subscription: [ledgerEvent(5, 600)] });
    const abort = new AbortController();
    let resolved = false;

    const waiting = store.waitForEventsAfter('600/600', abort.signal).then(() => (resolved = true));
    await new Promise((resolve) => setTimeout(resolve, 300));
    const beforeAbort = resolved;
    abort.abort();
    await waiting;

    expect(beforeAbort).toBe(false);
  });
});
