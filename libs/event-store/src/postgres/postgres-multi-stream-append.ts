import type pg from 'pg';
import type { AppendResult, ExpectedRevision, StreamAppend, StreamAppendOutcome } from '../event-store.port.js';
import { appendQuery, type AppendRow } from './postgres-event-store.queries.js';
import { AppendErrorCode } from './postgres-event-store.schema.js';
import { applySchema } from './postgres-migration.js';
import { encodePosition } from './postgres-position.js';

/*
 * Several appends in one statement, hence one transaction and one commit flush. Each goes through append_to_stream
 * itself (the same checks, idempotent retries and hash chain as a single append) inside its own subtransaction, so
 * one that is refused (EV001, EV002) or must be retried in a newer transaction (EV003, an event id a concurrent
 * append stored first) is reported in its row and the others stand. Any other error aborts them all.
 * Callers keep batches to a few dozen appends: past 64 subtransactions PostgreSQL's per-backend subtransaction cache
 * overflows, and every snapshot taken meanwhile gets slower.
 */
export const MULTI_STREAM_APPEND_SCHEMA = `
CREATE OR REPLACE FUNCTION append_to_streams(
  p_stream_names text[],
  p_expected_revisions bigint[],
  p_event_counts int[],
  p_event_ids uuid[],
  p_types text[],
  p_data jsonb,
  p_metadata jsonb,
  p_contents text[]
) RETURNS TABLE (append_index int, appended_revision bigint, appended_transaction_id xid8, appended_global_position bigint, error_code text, error_detail text)
LANGUAGE plpgsql AS $fn$
DECLARE
  v_first int := 1;
  v_last int;
  v_constraint text;
BEGIN
  -- p_event_ids, p_types and p_contents hold every append's events one after another (p_event_counts says how
  -- many each); p_data and p_metadata hold one JSON array per append.
  FOR i IN 1 .. cardinality(p_stream_names) LOOP
    v_last := v_first + p_event_counts[i] - 1;
    append_index := i;
    error_code := NULL;
    error_detail := NULL;
    BEGIN
      SELECT a.appended_revision, a.appended_transaction_id, a.appended_global_position
        INTO appended_revision, appended_transaction_id, appended_global_position
        FROM append_to_stream(p_stream_names[i], p_expected_revisions[i], p_event_ids[v_first:v_last], p_types[v_first:v_last],
                              p_data -> (i - 1), p_metadata -> (i - 1), p_contents[v_first:v_last]) a;
    EXCEPTION WHEN SQLSTATE '${AppendErrorCode.wrongExpectedRevision}' OR SQLSTATE '${AppendErrorCode.duplicateEventId}'
                OR SQLSTATE '${AppendErrorCode.transactionOrder}' OR unique_violation THEN
      GET STACKED DIAGNOSTICS error_code = RETURNED_SQLSTATE, error_detail = PG_EXCEPTION_DETAIL, v_constraint = CONSTRAINT_NAME;
      IF error_code = '23505' AND v_constraint IS DISTINCT FROM 'events_event_id_unique' THEN
        RAISE;
      END IF;
      appended_revision := NULL;
      appended_transaction_id := NULL;
      appended_global_position := NULL;
    END;
    RETURN NEXT;
    v_first := v_last + 1;
  END LOOP;
END
$fn$;
`;

export function migrateMultiStreamAppend(pool: pg.Pool): Promise<void> {
  return applySchema(pool, 'event_store_multi_stream_append', MULTI_STREAM_APPEND_SCHEMA);
}

interface MultiAppendRow extends Partial<AppendRow> {
  append_index: number;
  error_code: string | null;
  error_detail: string | null;
}

/** What `appendToStream` does with a database error, shared so both paths judge the same error the same way. */
export interface AppendErrorRules {
  isTransient(error: DatabaseErrorShape): boolean;
  toPortError(error: DatabaseErrorShape, streamName: string, expected: ExpectedRevision): unknown;
  /** Checks an append would make before any SQL (a malformed revision, an id twice): throws the port's error. */
  validate(append: StreamAppend): void;
  /** An append of no events (nothing to write): its stream's state, as `appendToStream` answers it. */
  appendNothing(streamName: string, expected: ExpectedRevision): Promise<AppendResult>;
  /** One append in a transaction of its own (`appendToStream`). */
  appendAlone(append: StreamAppend): Promise<AppendResult>;
}

export interface DatabaseErrorShape {
  code?: string;
  constraint?: string;
  detail?: string;
}

/**
 * Appends what it can in one statement; appends that met a transient conflict are tried again in a new statement,
 * up to `maxAttempts` in all. Outcomes are in the order of `appends`.
 */
export async function appendToStreamsInOneTransaction(
  pool: pg.Pool,
  appends: readonly StreamAppend[],
  rules: AppendErrorRules,
  maxAttempts: number,
): Promise<StreamAppendOutcome[]> {
  const outcomes: (StreamAppendOutcome | undefined)[] = appends.map(() => undefined);
  let pending: number[] = [];
  for (const [index, append] of appends.entries()) {
    try {
      rules.validate(append);
      if (append.events.length === 0) outcomes[index] = { ok: true, result: await rules.appendNothing(append.streamName, append.expectedRevision ?? 'any') };
      else pending.push(index);
    } catch (error) {
      outcomes[index] = { ok: false, error };
    }
  }
  for (let attempt = 1; pending.length > 0; attempt++) {
    let rows: MultiAppendRow[];
    try {
      ({ rows } = await pool.query<MultiAppendRow>(multiStreamAppendQuery(pending.map((index) => appends[index]))));
    } catch (error) {
      // Nothing of this statement was stored. One append's bad data (or a deadlock with another batch) must not
      // fail the others: each is tried alone, in order, and answers for itself.
      if (pending.length === 1)
        outcomes[pending[0]] = { ok: false, error: rules.toPortError(error as DatabaseErrorShape, appends[pending[0]].streamName, expectedOf(appends[pending[0]])) };
      else for (const index of pending) outcomes[index] = await rules.appendAlone(appends[index]).then(succeeded, failed);
      break;
    }
    const retry: number[] = [];
    for (const row of rows) {
      const index = pending[row.append_index - 1];
      const append = appends[index];
      if (row.error_code === null) {
        outcomes[index] = {
          ok: true,
          result: { nextExpectedRevision: Number(row.appended_revision), position: encodePosition(row.appended_transaction_id!, row.appended_global_position!) },
        };
        continue;
      }
      const error: DatabaseErrorShape = {
        code: row.error_code,
        detail: row.error_detail ?? undefined,
        constraint: row.error_code === '23505' ? 'events_event_id_unique' : undefined,
      };
      if (attempt < maxAttempts && rules.isTransient(error)) retry.push(index);
      else outcomes[index] = { ok: false, error: rules.toPortError(error, append.streamName, expectedOf(append)) };
    }
    pending = retry;
  }
  return outcomes as StreamAppendOutcome[];
}

const succeeded = (result: AppendResult): StreamAppendOutcome => ({ ok: true, result });
const failed = (error: unknown): StreamAppendOutcome => ({ ok: false, error });

const expectedOf = (append: StreamAppend): ExpectedRevision => append.expectedRevision ?? 'any';

/** The parameters of append_to_stream for each append (appendQuery's encoding, content digests included), laid end to end. */
function multiStreamAppendQuery(appends: readonly StreamAppend[]): pg.QueryConfig {
  const streamNames: string[] = [];
  const expectedRevisions: (number | null)[] = [];
  const counts: number[] = [];
  const ids: unknown[] = [];
  const types: unknown[] = [];
  const data: string[] = [];
  const metadata: string[] = [];
  const contents: unknown[] = [];
  for (const append of appends) {
    const [streamName, expected, eventIds, eventTypes, eventData, eventMetadata, eventContents] = appendQuery(append.streamName, append.events, expectedOf(append)).values as [
      string,
      number | null,
      unknown[],
      unknown[],
      string,
      string,
      unknown[],
    ];
    streamNames.push(streamName);
    expectedRevisions.push(expected);
    counts.push(append.events.length);
    ids.push(...eventIds);
    types.push(...eventTypes);
    data.push(eventData);
    metadata.push(eventMetadata);
    contents.push(...eventContents);
  }
  return {
    name: 'event_store_append_to_streams',
    text: `SELECT append_index, appended_revision, appended_transaction_id, appended_global_position, error_code, error_detail
             FROM append_to_streams($1, $2, $3, $4, $5, $6, $7, $8)`,
    values: [streamNames, expectedRevisions, counts, ids, types, `[${data.join(',')}]`, `[${metadata.join(',')}]`, contents],
  };
}
