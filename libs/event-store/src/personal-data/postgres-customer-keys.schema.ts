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

export interface PersonalDataSettings {
  subjectSecret: Buffer;
  /** The last global position recorded before encryption existed; null when there was none (or no events table). */
  clearEventsUntil: number | null;
}

/** The schema, and on the first start the settings row (in the same transaction, under the same lock). */
export async function migrateCustomerKeys(pool: pg.Pool, hasEventsTable: boolean): Promise<PersonalDataSettings> {
  await applySchema(pool, 'customer_keys_schema', SCHEMA, async (client) => {
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
