import type pg from 'pg';
import { chainUnhashedEvents } from './postgres-chain-migration.js';
import { applySchema } from './postgres-migration.js';

/** Every append is announced on this channel, after its commit (see PostgresAppendNotifier); waiting readers LISTEN on it. */
export const APPENDED_CHANNEL = 'event_store_appended';

/** SQLSTATEs raised by append_to_stream, translated to the port's errors by the adapter. */
export const AppendErrorCode = {
  wrongExpectedRevision: 'EV001',
  duplicateEventId: 'EV002',
  /** Our transaction id is older than the stream's last writer's: retry in a new transaction. */
  transactionOrder: 'EV003',
} as const;

/** What append_to_stream answers, and append_to_stream_earlier for a recognised retry. */
const APPEND_RESULT = 'RETURNS TABLE (appended_revision bigint, appended_transaction_id xid8, appended_global_position bigint)';

/**
 * chainedHash() of event-hash.ts, byte for byte: canonical JSON of content, previous, recordedAt, revision. The text is
 * ASCII (hex, an ISO time, an integer), so its bytes are the same in every server encoding: textsend takes them as
 * they are, without convert_to's conversion lookup on every event.
 */
const CHAIN_STEP = `
  v_recorded_text := to_char(v_recorded_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"');
  FOR i IN 1 .. v_count LOOP
    v_last_hash := encode(sha256(textsend(
      '{"content":"' || p_contents[i] || '","previous":' || coalesce('"' || v_last_hash || '"', 'null')
        || ',"recordedAt":"' || v_recorded_text || '","revision":' || (v_current + i) || '}')), 'hex');
    v_hashes[i] := v_last_hash;
  END LOOP;
`;

function appendToStreamFunction(chainStep: string): string {
  return `
CREATE OR REPLACE FUNCTION append_to_stream(
  p_stream_name text,
  p_expected_revision bigint,
  p_event_ids uuid[],
  p_types text[],
  p_data jsonb,
  p_metadata jsonb,
  p_contents text[]
) ${APPEND_RESULT}
LANGUAGE plpgsql AS $fn$
DECLARE
  v_count bigint := cardinality(p_event_ids);
  v_current bigint;
  v_last_transaction xid8;
  v_new_stream boolean;
  v_last_position bigint;
  v_last_hash text;
  v_hashes text[] := '{}';
  v_recorded_at timestamptz := date_trunc('milliseconds', now());
  v_recorded_text text;
BEGIN
  SELECT s.revision, s.last_transaction_id, s.last_hash INTO v_current, v_last_transaction, v_last_hash
    FROM streams s WHERE s.stream_name = p_stream_name FOR NO KEY UPDATE;
  v_new_stream := NOT FOUND;
  IF v_new_stream THEN
    v_current := -1;
  END IF;

  IF p_expected_revision IS NOT NULL AND p_expected_revision <> v_current THEN
    RETURN QUERY SELECT * FROM append_to_stream_earlier(p_stream_name, p_expected_revision, p_event_ids, p_types, p_data);
    IF FOUND THEN
      RETURN;
    END IF;
    RAISE EXCEPTION USING ERRCODE = '${AppendErrorCode.wrongExpectedRevision}',
      MESSAGE = format('stream %s is at revision %s, expected %s', p_stream_name, v_current, p_expected_revision),
      DETAIL = v_current::text;
  END IF;

  -- Our xid was taken before the previous writer's (we waited on its lock): readers order by xid, so our
  -- later revision would be read before its earlier one. A new transaction gets a newer xid.
  IF NOT v_new_stream AND pg_current_xact_id() < v_last_transaction THEN
    RAISE EXCEPTION USING ERRCODE = '${AppendErrorCode.transactionOrder}',
      MESSAGE = 'transaction id older than the stream''s last writer';
  END IF;

  -- Without an expectation, a retry of a stored append would be appended again at the stream's end: recognise it
  -- first. With one, a retry fails the expectation above; an id stored elsewhere fails the insert (unique_violation
  -- on events_event_id_unique, which the adapter retries, and then finds here or in the expectation's check).
  IF p_expected_revision IS NULL AND EXISTS (SELECT 1 FROM events e WHERE e.event_id = ANY (p_event_ids)) THEN
    RETURN QUERY SELECT * FROM append_to_stream_earlier(p_stream_name, p_expected_revision, p_event_ids, p_types, p_data);
    IF FOUND THEN
      RETURN;
    END IF;
    RAISE EXCEPTION USING ERRCODE = '${AppendErrorCode.transactionOrder}',
      MESSAGE = 'a conflicting event id is gone again: retry';
  END IF;

${chainStep}
  IF v_new_stream THEN
    -- Created with its final state; the row is ours (and locked) until we commit. A creator that committed since our
    -- look-up wins: retrying in a new transaction sees its stream.
    INSERT INTO streams (stream_name, revision, last_transaction_id, last_hash)
      VALUES (p_stream_name, v_count - 1, pg_current_xact_id(), v_last_hash)
      ON CONFLICT (stream_name) DO NOTHING;
    IF NOT FOUND THEN
      RAISE EXCEPTION USING ERRCODE = '${AppendErrorCode.transactionOrder}',
        MESSAGE = format('stream %s was created by a concurrent append', p_stream_name);
    END IF;
  END IF;

  -- A plain insert: ON CONFLICT's speculative insertion probes the index and logs a confirmation for every row.
  WITH inserted AS (
    INSERT INTO events (event_id, stream_name, revision, type, data, metadata, recorded_at, hash)
    SELECT n.event_id, p_stream_name, v_current + n.ordinality, n.type,
           p_data -> (n.ordinality::int - 1), p_metadata -> (n.ordinality::int - 1), v_recorded_at, n.hash
      FROM unnest(p_event_ids, p_types, v_hashes) WITH ORDINALITY AS n(event_id, type, hash, ordinality)
     ORDER BY n.ordinality
    RETURNING global_position
  )
  SELECT max(global_position) INTO v_last_position FROM inserted;

  IF NOT v_new_stream THEN
    UPDATE streams SET revision = v_current + v_count, last_transaction_id = pg_current_xact_id(), last_hash = v_last_hash
     WHERE stream_name = p_stream_name;
  END IF;
  appended_revision := v_current + v_count;
  appended_transaction_id := pg_current_xact_id();
  appended_global_position := v_last_position;
  RETURN NEXT;
END
$fn$;
`;
}

/**
 * append_to_stream without the chain's hashing (events and streams keep NULL hashes): only for the benchmark's measure
 * of what the chain costs (bench/contenders/ledger-unchained), installed in its own database, never in a ledger.
 */
export const UNCHAINED_APPEND_TO_STREAM = appendToStreamFunction('');

/**
 * `transaction_id` + the `transaction_id < pg_snapshot_xmin(pg_current_snapshot())` filter in readAll give a
 * gap-free global order: a row becomes readable only once no transaction that could still commit an earlier
 * row is running. `streams.last_transaction_id` keeps that order consistent with stream revisions (EV003).
 */
export const EVENT_STORE_SCHEMA = `
CREATE TABLE IF NOT EXISTS streams (
  stream_name text PRIMARY KEY,
  revision bigint NOT NULL,
  last_transaction_id xid8 NOT NULL
);

CREATE TABLE IF NOT EXISTS events (
  global_position bigserial PRIMARY KEY,
  transaction_id xid8 NOT NULL DEFAULT pg_current_xact_id(),
  event_id uuid NOT NULL,
  stream_name text NOT NULL,
  revision bigint NOT NULL,
  type text NOT NULL,
  data jsonb NOT NULL,
  metadata jsonb NOT NULL,
  -- Milliseconds, so that the ISO string we return can be handed back as \`until\` and include the event.
  recorded_at timestamptz NOT NULL DEFAULT date_trunc('milliseconds', now()),
  CONSTRAINT events_event_id_unique UNIQUE (event_id),
  CONSTRAINT events_stream_revision_unique UNIQUE (stream_name, revision)
);

CREATE INDEX IF NOT EXISTS events_global_order ON events (transaction_id, global_position);

-- The hash chain (libs/event-store/src/hash-chain): each event's hash covers its content digest (computed by the
-- client over canonical JSON), revision, recording time and the previous hash of its stream. Chained per stream, under
-- the stream lock every append already takes: a chain in the global order would need the previous event in that
-- order, which is only known once every older transaction has ended. The global order is chained afterwards by
-- anchors. NULL only until chainUnhashedEvents has run on a ledger older than the chain.
ALTER TABLE events ADD COLUMN IF NOT EXISTS hash text;
ALTER TABLE streams ADD COLUMN IF NOT EXISTS last_hash text;

-- Head hashes of the global order (the fold of every event hash up to a position), kept so that an auditor can copy
-- them elsewhere and later prove that nothing before them was rewritten.
CREATE TABLE IF NOT EXISTS audit_anchors (
  transaction_id xid8 NOT NULL,
  global_position bigint NOT NULL,
  head_hash text NOT NULL,
  event_count bigint NOT NULL,
  reason text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (transaction_id, global_position)
);

-- One round trip per append, and on the usual path three statements: lock (or create) the stream row, insert the
-- events, move the stream on. An event id already stored fails the insert on its unique index (the adapter retries in
-- a new transaction); only when the expectation fails, or without one when an id is stored already, does
-- append_to_stream_earlier look for an earlier identical append.
-- No NOTIFY in here: it would hold PostgreSQL's database-wide notify lock from pre-commit until the commit is
-- flushed, so concurrent appends would commit one at a time; the adapter lets at most one append per interval carry
-- one in its statement and announces the others afterwards (PostgresAppendNotifier).
-- p_expected_revision: NULL = any, -1 = no stream, n = exactly n. p_data and p_metadata are JSON arrays
-- parallel to p_event_ids: one JSON document parses faster than a jsonb[] literal of escaped documents.
-- The first version took jsonb[]; a leftover overload would make calls ambiguous. The second had no content
-- digests: an instance still running it must not append unchained events.
DROP FUNCTION IF EXISTS append_to_stream(text, bigint, uuid[], text[], jsonb[], jsonb[]);
DROP FUNCTION IF EXISTS append_to_stream(text, bigint, uuid[], text[], jsonb, jsonb);

-- A retry is recognised only if every event sits, unchanged, where this very call would have put it: then the result
-- of the earlier append. No row if none of the ids is stored; EV002 if some are, but not as such a retry.
CREATE OR REPLACE FUNCTION append_to_stream_earlier(
  p_stream_name text,
  p_expected_revision bigint,
  p_event_ids uuid[],
  p_types text[],
  p_data jsonb
) ${APPEND_RESULT}
LANGUAGE plpgsql AS $fn$
DECLARE
  v_count bigint := cardinality(p_event_ids);
  v_known bigint;
  v_first bigint;
BEGIN
  SELECT count(*) INTO v_known FROM events e WHERE e.event_id = ANY (p_event_ids);
  IF v_known = 0 THEN
    RETURN;
  END IF;
  SELECT e.revision INTO v_first FROM events e
    WHERE e.event_id = p_event_ids[1] AND e.stream_name = p_stream_name;
  IF v_known = v_count AND v_first IS NOT NULL
     AND (p_expected_revision IS NULL OR v_first = p_expected_revision + 1)
     AND NOT EXISTS (
       SELECT 1
         FROM unnest(p_event_ids, p_types) WITH ORDINALITY AS n(event_id, type, ordinality)
         LEFT JOIN events e ON e.event_id = n.event_id
        WHERE e.event_id IS NULL OR e.stream_name <> p_stream_name OR e.revision <> v_first + n.ordinality - 1
           OR e.type <> n.type OR e.data <> p_data -> (n.ordinality::int - 1))
  THEN
    RETURN QUERY SELECT e.revision, e.transaction_id, e.global_position FROM events e
      WHERE e.stream_name = p_stream_name AND e.revision = v_first + v_count - 1;
    RETURN;
  END IF;
  RAISE EXCEPTION USING ERRCODE = '${AppendErrorCode.duplicateEventId}',
    MESSAGE = 'event id already appended with different content or place',
    DETAIL = (SELECT e.event_id::text FROM events e WHERE e.event_id = ANY (p_event_ids) LIMIT 1);
END
$fn$;

${appendToStreamFunction(CHAIN_STEP)}`;

/** The schema, then (in the same transaction) the hash chain over events recorded before it existed. */
export function migrateEventStore(pool: pg.Pool): Promise<void> {
  return applySchema(pool, 'event_store_schema', EVENT_STORE_SCHEMA, chainUnhashedEvents);
}
