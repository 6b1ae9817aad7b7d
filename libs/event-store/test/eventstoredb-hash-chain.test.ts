import type { RecordedEvent as EsdbRecordedEvent } from '@eventstore/db-client';
import type { EventMetadata, NewEvent } from '../src/event-store.port.js';
import { chainTailOf, sealedEventData, toAuditedEvent } from '../src/eventstoredb/eventstoredb-hash-chain.js';
import { compareEsdbPositions } from '../src/eventstoredb/eventstoredb-position.js';
import type { AuditedEvent, AuditSession } from '../src/hash-chain/audit-session.js';
import { verifyChain } from '../src/hash-chain/chain-verifier.js';
import { eventHash } from '../src/hash-chain/event-hash.js';
import { metadata, newEvent } from './event-store.fixtures.js';

/*
 * No EventStoreDB server runs here: these tests take the events the adapter would send, turn them into what the
 * client would read back (JSON data and metadata, bigint revisions, commit/prepare positions), and verify the chain
 * with the same verifier as PostgreSQL.
 */
const TIME = '2030-01-02T03:04:05.678Z';

interface Log {
  events: EsdbRecordedEvent[];
  append(stream: string, batch: NewEvent[], recordedAt?: string): void;
}

function log(): Log {
  const events: EsdbRecordedEvent[] = [];
  return {
    events,
    append(stream, batch, recordedAt = TIME) {
      const inStream = events.filter((event) => event.streamId === stream);
      const tail = chainTailOf(inStream.at(-1) ?? null);
      const data = sealedEventData(
        stream,
        batch,
        tail,
        batch.map(() => recordedAt),
      );
      data.forEach((sent, index) => {
        const commit = BigInt(events.length + 1) * 100n;
        // Through JSON, as the wire carries it.
        events.push({
          streamId: stream,
          id: sent.id,
          isJson: true,
          revision: BigInt(inStream.length + index),
          type: sent.type,
          created: new Date(),
          data: JSON.parse(JSON.stringify(sent.data)),
          metadata: JSON.parse(JSON.stringify(sent.metadata)),
          position: { commit, prepare: commit },
        } as EsdbRecordedEvent);
      });
    },
  };
}

function sessionOver(events: EsdbRecordedEvent[]): AuditSession {
  const audited: AuditedEvent[] = events.map(toAuditedEvent);
  return {
    async *scan() {
      yield audited;
    },
    async storedHash(streamName, revision) {
      const found = audited.find((event) => event.streamName === streamName && event.revision === revision);
      return found ? found.hash : undefined;
    },
    anchors: async () => [],
    streamHeads: () => null,
    comparePositions: compareEsdbPositions,
  };
}

function history(): Log {
  const written = log();
  written.append('appointment-a', [newEvent()]);
  written.append('appointment-b', [newEvent(), newEvent('AppointmentNoted', { text: '😀 "x"', deep: [[{ b: 1, a: 2 }]] })]);
  written.append('appointment-a', [newEvent('AppointmentNoted', { n: 1 }, metadata({ reason: 'why, "really"' })), newEvent()]);
  return written;
}

test('events appended through the adapter carry a chain that verifies, hash and time in the metadata', async () => {
  const written = history();

  const report = await verifyChain(sessionOver(written.events));

  expect(report).toMatchObject({ intact: true, checkedEvents: 5 });
  expect(written.events[0].metadata).toMatchObject({ ledgerHash: expect.stringMatching(/^[0-9a-f]{64}$/), originalRecordedAt: TIME });
  expect(toAuditedEvent(written.events[0]).metadata).not.toHaveProperty('ledgerHash');
});

test('the hashes are the ones the PostgreSQL store computes for the same events, times and revisions', () => {
  const event = newEvent('AppointmentBooked', { slot: '2030-01-01T09:00:00.000Z', nested: { z: 1, a: [1, 2] } });
  const written = log();
  written.append('appointment-x', [event]);
  const second = newEvent();
  written.append('appointment-x', [second]);

  const first = eventHash(
    { eventId: event.id, streamName: 'appointment-x', type: event.type, data: event.data, metadata: event.metadata },
    { revision: 0, recordedAt: TIME, previousHash: null },
  );
  expect(written.events[0].metadata).toMatchObject({ ledgerHash: first });
  expect(written.events[1].metadata).toMatchObject({
    ledgerHash: eventHash(
      { eventId: second.id, streamName: 'appointment-x', type: second.type, data: second.data, metadata: second.metadata },
      { revision: 1, recordedAt: TIME, previousHash: first },
    ),
  });
});

test('changed data, changed metadata, a deleted event and a stripped hash are named', async () => {
  const changed = history();
  changed.events[2] = { ...changed.events[2], data: { text: '😀 "y"', deep: [[{ b: 1, a: 2 }]] } } as EsdbRecordedEvent;
  expect((await verifyChain(sessionOver(changed.events))).problem).toMatchObject({ kind: 'changed', event: { eventId: changed.events[2].id } });

  const actor = history();
  actor.events[3] = { ...actor.events[3], metadata: { ...(actor.events[3].metadata as object), actor: 'admin:mallory' } } as EsdbRecordedEvent;
  expect((await verifyChain(sessionOver(actor.events))).problem).toMatchObject({ kind: 'changed', event: { eventId: actor.events[3].id } });

  const deleted = history();
  const [, , , removed, after] = deleted.events;
  expect(removed.streamId).toBe(after.streamId);
  deleted.events.splice(3, 1);
  expect((await verifyChain(sessionOver(deleted.events))).problem).toMatchObject({ kind: 'deleted', event: { eventId: after.id } });

  const stripped = history();
  const { ledgerHash: _dropped, ...rest } = stripped.events[0].metadata as Record<string, unknown>;
  stripped.events[0] = { ...stripped.events[0], metadata: rest } as EsdbRecordedEvent;
  expect((await verifyChain(sessionOver(stripped.events))).problem).toMatchObject({ kind: 'changed', message: expect.stringContaining('no hash') });
});

test("a copy keeps each event's original time, so the copied chain is the source's", () => {
  const source = log();
  source.append('appointment-c', [newEvent()], '2024-03-01T08:00:00.123Z');
  const copy = log();
  const [original] = source.events;
  copy.append(
    'appointment-c',
    [{ id: original.id, type: original.type, data: original.data, metadata: toAuditedEvent(original).metadata as EventMetadata }],
    toAuditedEvent(original).recordedAt,
  );

  expect(copy.events[0].metadata).toEqual(original.metadata);
});
