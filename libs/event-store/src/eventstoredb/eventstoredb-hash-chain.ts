import type { EventData, RecordedEvent as EsdbRecordedEvent } from '@eventstore/db-client';
import type { NewEvent } from '../event-store.port.js';
import type { AuditedEvent } from '../hash-chain/audit-session.js';
import { eventHash } from '../hash-chain/event-hash.js';
import { fromStoredMetadata } from './eventstoredb-metadata.js';
import { toEventData, toRecordedEvent } from './eventstoredb-recorded-event.js';

/** The last event of a stream as the chain needs it: null for a stream with no events. */
export interface ChainTail {
  revision: number;
  hash: string | null;
}

/**
 * The same chain as in PostgreSQL (hash-chain/event-hash.ts), computed by the client: the stream's last event is read
 * before every append anyway (retry recognition), and the append goes with that exact revision, so two writers
 * cannot both chain onto it. The hash and the time it covers travel in the metadata (`ledgerHash`,
 * `originalRecordedAt`), so the events of a ledger copied between the two stores keep their hashes.
 */
export function sealedEventData(streamName: string, events: NewEvent[], tail: ChainTail | null, recordedAt: readonly string[]): EventData[] {
  let previousHash = tail?.hash ?? null;
  let revision = tail ? tail.revision + 1 : 0;
  return events.map((event, index) => {
    const hash = eventHash(
      { eventId: event.id, streamName, type: event.type, data: event.data, metadata: event.metadata },
      { revision, recordedAt: recordedAt[index], previousHash },
    );
    previousHash = hash;
    revision++;
    return toEventData(event, recordedAt[index], hash);
  });
}

export function chainTailOf(last: EsdbRecordedEvent | null): ChainTail | null {
  if (last === null) return null;
  const recorded = toRecordedEvent(last);
  return { revision: recorded.revision, hash: fromStoredMetadata(last.metadata, recorded).ledgerHash };
}

/** A stored event as a verify run reads it: what the port shows, and the hash from its metadata. */
export function toAuditedEvent(event: EsdbRecordedEvent): AuditedEvent {
  const recorded = toRecordedEvent(event);
  return {
    position: recorded.position,
    eventId: recorded.id,
    streamName: recorded.streamName,
    revision: recorded.revision,
    type: recorded.type,
    data: recorded.data,
    metadata: recorded.metadata,
    recordedAt: recorded.recordedAt,
    hash: fromStoredMetadata(event.metadata, recorded).ledgerHash,
  };
}
