import type { EventData, JSONType, RecordedEvent as EsdbRecordedEvent } from '@eventstore/db-client';
import type { NewEvent, RecordedEvent } from '../event-store.port.js';
import { fromStoredMetadata, toStoredMetadata, UnreadableEventError } from './eventstoredb-metadata.js';
import { encodeEsdbPosition } from './eventstoredb-position.js';
import { toPortRevision } from './eventstoredb-revision.js';

/** The id is passed through: EventStoreDB recognises a retried append by the ids of its events. */
export function toEventData(event: NewEvent, originalRecordedAt?: string, ledgerHash?: string): EventData {
  return {
    id: event.id,
    contentType: 'application/json',
    type: event.type,
    // The client serialises with JSON.stringify, which takes any JSON value, not only the objects its type names.
    data: event.data as JSONType,
    metadata: toStoredMetadata(event.metadata, originalRecordedAt, ledgerHash),
  };
}

/**
 * A recorded event as the port shows it. `recordedAt` is the server's `created` (milliseconds, UTC), or the time
 * the event was first recorded in the store it was copied from.
 */
export function toRecordedEvent(event: EsdbRecordedEvent): RecordedEvent {
  const place = { id: event.id, streamName: event.streamId };
  if (!event.isJson) throw new UnreadableEventError(event.id, event.streamId, 'its data is not JSON');
  if (!event.position) {
    throw new UnreadableEventError(event.id, event.streamId, 'the server sent no log position (EventStoreDB 22.10 or later is required)');
  }
  const revision = toPortRevision(event.revision);
  if (revision === 'no_stream') throw new UnreadableEventError(event.id, event.streamId, `negative revision ${event.revision}`);
  const { metadata, originalRecordedAt } = fromStoredMetadata(event.metadata, place);
  return {
    id: event.id,
    streamName: event.streamId,
    type: event.type,
    data: event.data,
    metadata,
    revision,
    position: encodeEsdbPosition(event.position),
    recordedAt: originalRecordedAt ?? event.created.toISOString(),
  };
}
