import { randomBytes } from 'node:crypto';
import type pg from 'pg';
import { applySchema } from '../postgres/postgres-migration.js';

/** Every erasure is announced here (payload: the subject id), so every process drops the keys it holds in memory. */
export const KEY_ERASED_CHANNEL = 'customer_key_erased';

/**
 * The key table lives beside the event log, never in it: destroying a key is an UPDATE here, while the events stay
 * exactly as recorded. `key` is NULL once erased (a row without any key is an erasure of a customer known only from
 * data recorded before encryption). At most one live key per customer; a customer who comes back after an erasure
 * gets a new one. `personal_data_settings` keeps the subject ids' HMAC secret (made on the first start, unless
 * configured) and where the events recorded in clear, before encryption existed, end.
 */
const SCHEMA = `
CREATE TABLE IF NOT EXISTS customer_keys (
  key_id uuid PRIMARY KEY,
  subject_id text NOT NULL,
  key bytea,
  created_at timestamptz NOT NULL DEFAULT now(),
  erased_at timestamptz,
  erased_by text,
  reason text,
  CONSTRAINT customer_keys_erased_have_no_key CHECK (erased_at IS NULL OR key IS NULL),
  CONSTRAINT customer_keys_live_have_a_key CHECK (erased_at IS NOT NULL OR key IS NOT NULL)
);
CREATE UNIQUE INDEX IF NOT EXISTS customer_keys_one_live_key ON customer_keys (subject_id) WHERE erased_at IS NULL;
CREATE INDEX IF NOT EXISTS customer_keys_subject ON customer_keys (subject_id, erased_at);

CREATE TABLE IF NOT EXISTS personal_data_settings (
  singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
  subject_secret bytea NOT NULL,
  clear_events_until bigint,
  created_at timestamptz NOT NULL DEFAULT now()
);
`;

/**
 * With the events in this database: an append that stores new customers' keys in its own transaction (see
 * PostgresEventStore.appendToStreamMakingKeys), append_to_stream's parameters first, then the keys'. The keys go in
 * first, and with a plain insert: a customer who has a live key already (a concurrent first append committed one, or
 * this process did not know it) fails on customer_keys_one_live_key before any stream is locked or event checked, so a
 * retry of a stored append is judged once it is sealed with the stored key. A concurrent insert of the same customer's
 * key waits for the other transaction and fails only if it commits: one live key per customer, and none without the
 * events it was made for (the key is rolled back with a failed append). Keys are inserted in the order given; callers
 * sort them by subject, so two appends making the same keys wait for each other in one order.
 */
const APPEND_MAKING_KEYS = `
CREATE OR REPLACE FUNCTION append_to_stream_making_keys(
  p_stream_name text,
  p_expected_revision bigint,
  p_event_ids uuid[],
  p_types text[],
  p_data jsonb,
  p_metadata jsonb,
  p_contents text[],
  p_key_ids uuid[],
  p_subject_ids text[],
  p_keys bytea[]
) RETURNS TABLE (appended_revision bigint, appended_transaction_id xid8, appended_global_position bigint)
LANGUAGE plpgsql AS $fn$
BEGIN
  INSERT INTO customer_keys (key_id, subject_id, key) SELECT * FROM unnest(p_key_ids, p_subject_ids, p_keys);
  RETURN QUERY SELECT * FROM append_to_stream(p_stream_name, p_expected_revision, p_event_ids, p_types, p_data, p_metadata, p_contents);
END
$fn$;

-- The same before append_to_streams: its appends each in a subtransaction, the keys outside them, so they are stored
-- whatever becomes of each append (a key whose appends were all refused is the customer's live key all the same).
CREATE OR REPLACE FUNCTION append_to_streams_making_keys(
  p_stream_names text[],
  p_expected_revisions bigint[],
  p_event_counts int[],
  p_event_ids uuid[],
  p_types text[],
  p_data jsonb,
  p_metadata jsonb,
  p_contents text[],
  p_key_ids uuid[],
  p_subject_ids text[],
  p_keys bytea[]
) RETURNS TABLE (append_index int, appended_revision bigint, appended_transaction_id xid8, appended_global_position bigint, error_code text, error_detail text)
LANGUAGE plpgsql AS $fn$
BEGIN
  INSERT INTO customer_keys (key_id, subject_id, key) SELECT * FROM unnest(p_key_ids, p_subject_ids, p_keys);
  RETURN QUERY SELECT * FROM append_to_streams(p_stream_names, p_expected_revisions, p_event_counts, p_event_ids, p_types, p_data, p_metadata, p_contents);
END
$fn$;
`;

/** The unique index a key made with an append fails on when its customer has a live key already. */
export const ONE_LIVE_KEY_CONSTRAINT = 'customer_keys_one_live_key';

export interface PersonalDataSettings {
  subjectSecret: Buffer;
  /** The last global position recorded before encryption existed; null when there was none (or no events table). */
  clearEventsUntil: number | null;
}

/** The schema, and on the first start the settings row (in the same transaction, under the same lock). */
export async function migrateCustomerKeys(pool: pg.Pool, hasEventsTable: boolean): Promise<PersonalDataSettings> {
  await applySchema(pool, 'customer_keys_schema', hasEventsTable ? SCHEMA + APPEND_MAKING_KEYS : SCHEMA, async (client) => {
    const clearUntil = hasEventsTable ? 'SELECT max(global_position) FROM events' : 'SELECT NULL::bigint';
    await client.query(
      `INSERT INTO personal_data_settings (subject_secret, clear_events_until) SELECT $1, (${clearUntil})
       ON CONFLICT (singleton) DO NOTHING`,
      [randomBytes(32)],
    );
  });
  const { rows } = await pool.query<{ subject_secret: Buffer; clear_events_until: string | null }>('SELECT subject_secret, clear_events_until FROM personal_data_settings');
  return { subjectSecret: rows[0].subject_secret, clearEventsUntil: rows[0].clear_events_until === null ? null : Number(rows[0].clear_events_until) };
}
