import type pg from 'pg';
import type { EventMetadata, ExpectedRevision, NewEvent, Position, RecordedEvent } from '../event-store.port.js';
import { canonicalJson } from '../hash-chain/canonical-json.js';
import { digestOfCanonical } from '../hash-chain/event-hash.js';
import { APPENDED_CHANNEL } from './postgres-event-store.schema.js';
import { encodePosition, type PostgresPosition } from './postgres-position.js';

/*
 * Named statements: pg prepares each once per connection, so an append or a page read is a single
 * Bind/Execute round trip afterwards.
 */

/** recorded_at is formatted by the server: parsing it into a Date and back costs more than the rest of a row. */
const EVENT_COLUMNS = `global_position, transaction_id, event_id, stream_name, revision, type, data, metadata,
  to_char(recorded_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS recorded_at`;

export interface EventRow {
  global_position: string;
  transaction_id: string;
  event_id: string;
  stream_name: string;
  revision: string;
  type: string;
  data: unknown;
  metadata: EventMetadata;
  recorded_at: string;
}

export interface AppendRow {
  appended_revision: string;
  appended_transaction_id: string;
  appended_global_position: string;
}

export function toRecordedEvent(row: EventRow): RecordedEvent {
  return {
    id: row.event_id,
    streamName: row.stream_name,
    type: row.type,
    data: row.data,
    metadata: row.metadata,
    revision: Number(row.revision),
    position: encodePosition(row.transaction_id, row.global_position),
    recordedAt: row.recorded_at,
  };
}

/** The port's expected revision in append_to_stream's encoding: NULL = any, -1 = no stream. */
function expectedRevisionParameter(expected: ExpectedRevision): number | null {
  if (expected === 'any') return null;
  if (expected === 'no_stream') return -1;
  return expected;
}

export function appendQuery(streamName: string, events: NewEvent[], expected: ExpectedRevision): pg.QueryConfig {
  // Canonical JSON (hash-chain/canonical-json.ts) is what the store parses and what the content digest covers.
  const data = events.map((event) => canonicalJson(event.data ?? null));
  const metadata = events.map((event) => canonicalJson(event.metadata));
  return {
    name: 'event_store_append',
    text: 'SELECT appended_revision, appended_transaction_id, appended_global_position FROM append_to_stream($1, $2, $3, $4, $5, $6, $7)',
    values: [
      streamName,
      expectedRevisionParameter(expected),
      events.map((event) => event.id),
      events.map((event) => event.type),
      `[${data.join(',')}]`,
      `[${metadata.join(',')}]`,
      // The store finishes each hash with the revision, recording time and previous hash (see the schema).
      events.map((event, index) => digestOfCanonical({ eventId: event.id, streamName, type: event.type }, data[index], metadata[index])),
    ],
  };
}

/**
 * An append's statement that also announces it, in its own transaction: the notification goes out with the commit
 * (see PostgresAppendNotifier, which lets one append per interval carry it). Without a payload, the statement as is.
 */
export function withNotification(append: pg.QueryConfig, payload: string | null): pg.QueryConfig {
  if (payload === null) return append;
  const values = append.values ?? [];
  return {
    name: `${append.name}_notify`,
    text: `SELECT appended.*, pg_notify('${APPENDED_CHANNEL}', $${values.length + 1}) AS notified FROM (${append.text}) appended`,
    values: [...values, payload],
  };
}

export function streamStateQuery(streamName: string): pg.QueryConfig {
  return {
    name: 'event_store_stream_state',
    text: `SELECT s.revision,
                  (SELECT e.transaction_id::text || ':' || e.global_position FROM events e
                    WHERE e.stream_name = s.stream_name AND e.revision = s.revision) AS position
             FROM streams s WHERE s.stream_name = $1 AND s.revision >= 0`,
    values: [streamName],
  };
}

export interface ReadStreamBounds {
  fromRevision?: number;
  toRevision?: number;
  until?: string;
}

export function readStreamQuery(streamName: string, bounds: ReadStreamBounds): pg.QueryConfig {
  return {
    name: 'event_store_read_stream',
    text: `SELECT ${EVENT_COLUMNS} FROM events
            WHERE stream_name = $1 AND revision >= $2
              AND ($3::bigint IS NULL OR revision <= $3)
              AND ($4::timestamptz IS NULL OR recorded_at <= $4)
            ORDER BY revision`,
    values: [streamName, bounds.fromRevision ?? 0, bounds.toRevision ?? null, bounds.until ?? null],
  };
}

export interface ReadAllRow extends EventRow {
  /** The last readable place at all, filtered or not: where a short page may move the reader to. */
  tail: Position | null;
}

/**
 * One statement, hence one snapshot, for the page and the tail: both see the same xmin horizon, so moving
 * the reader to the tail cannot pass an event the page did not see. Always returns at least one row
 * (event columns NULL when the page is empty).
 */
export function readAllQuery(after: PostgresPosition, limit: number, streamPrefixes: string[] | null): pg.QueryConfig {
  return {
    name: 'event_store_read_all',
    text: `WITH horizon AS MATERIALIZED (SELECT pg_snapshot_xmin(pg_current_snapshot()) AS xmin),
                tail AS MATERIALIZED (
                  SELECT e.transaction_id::text || ':' || e.global_position AS tail FROM events e, horizon h
                   WHERE e.transaction_id < h.xmin
                   ORDER BY e.transaction_id DESC, e.global_position DESC LIMIT 1)
           SELECT (SELECT tail FROM tail) AS tail, page.*
             FROM horizon h
             LEFT JOIN LATERAL (
               SELECT ${EVENT_COLUMNS} FROM events
                WHERE (transaction_id, global_position) > ($1::xid8, $2::bigint)
                  AND transaction_id < h.xmin
                  AND ($4::text[] IS NULL OR stream_name ^@ ANY ($4::text[]))
                ORDER BY transaction_id, global_position
                LIMIT $3) page ON true`,
    values: [after.transactionId.toString(), after.globalPosition.toString(), limit, streamPrefixes],
  };
}

/**
 * Rows our snapshot sees are committed: the newest of them in the global order. The ORDER BY names the table's
 * columns, not the text output columns of the same names (which would sort "995" after "1086").
 */
export const headPositionQuery: pg.QueryConfig = {
  name: 'event_store_head_position',
  text: `SELECT transaction_id::text AS transaction_id, global_position::text AS global_position FROM events
          ORDER BY events.transaction_id DESC, events.global_position DESC LIMIT 1`,
};

/**
 * `found`: events after the position that a reader may take. `held`: committed events after it that an older
 * transaction still in progress keeps back (readAll's horizon); they are readable the moment it ends.
 *
 * Only the first event after the position is looked at: the order is by transaction id, so if that one is behind the
 * horizon none is. Asked as ORDER BY … LIMIT 1 so that the plan PostgreSQL caches for this named statement after a few
 * runs (a generic one, blind to the position) is still one probe of `events_global_order`; written as two EXISTS,
 * the generic plan was two sequential scans of the whole table, 6.7 s per poll at 2.4M events.
 */
export function hasEventsAfterQuery(after: PostgresPosition): pg.QueryConfig {
  return {
    name: 'event_store_has_events_after',
    text: `WITH first_after AS MATERIALIZED (
             SELECT transaction_id FROM events
              WHERE (transaction_id, global_position) > ($1::xid8, $2::bigint)
              ORDER BY transaction_id, global_position LIMIT 1)
           SELECT coalesce((SELECT transaction_id < pg_snapshot_xmin(pg_current_snapshot()) FROM first_after), false) AS found,
                  EXISTS (SELECT 1 FROM first_after) AS held`,
    values: [after.transactionId.toString(), after.globalPosition.toString()],
  };
}
