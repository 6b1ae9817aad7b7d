import { isDeepStrictEqual } from 'node:util';
import { DuplicateEventIdError, type ExpectedRevision, type NewEvent, type RecordedEvent } from '../event-store.port.js';

/**
 * EventStoreDB deduplicates appends by event id alone, and only in some cases (with an exact expected revision it
 * writes a known id a second time). The port promises more, as the PostgreSQL store keeps it: an append is a retry
 * only if every event already sits, with the same type and data, exactly where this call would have put it; any
 * other reuse of a known id is a DuplicateEventIdError. So the adapter decides from the stream's events first.
 *
 * Returns the last event of the original append for a retry, `null` when no id is known in the stream.
 * Ids reused in another stream are not seen here: EventStoreDB has no index of event ids across streams.
 */
export function recogniseRetriedAppend(stream: RecordedEvent[], batch: NewEvent[], expected: ExpectedRevision): RecordedEvent | null {
  const byId = new Map(stream.map((event) => [event.id, event]));
  const known = batch.filter((event) => byId.has(event.id));
  if (known.length === 0) return null;
  const first = byId.get(batch[0].id);
  const startsWhereExpected = first !== undefined && (expected === 'any' || first.revision === expectedFirstRevision(expected));
  const original = first ? stream.slice(stream.indexOf(first), stream.indexOf(first) + batch.length) : [];
  const isRetry = startsWhereExpected && original.length === batch.length && batch.every((sent, index) => isSameEvent(original[index], sent));
  if (!isRetry) throw new DuplicateEventIdError(known[0].id);
  return original[original.length - 1];
}

/** The stored event is the one sent: same id, type and data (metadata may differ between attempts, as in PostgreSQL). */
export function isSameEvent(recorded: RecordedEvent, sent: NewEvent): boolean {
  // Compared as stored: JSON drops undefined fields and turns Dates into strings.
  const sentData: unknown = JSON.parse(JSON.stringify(sent.data) ?? 'null');
  return recorded.id === sent.id && recorded.type === sent.type && isDeepStrictEqual(recorded.data, sentData);
}

function expectedFirstRevision(expected: 'no_stream' | number): number {
  return expected === 'no_stream' ? 0 : expected + 1;
}
