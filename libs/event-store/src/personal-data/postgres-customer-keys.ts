import { createHmac, randomBytes, randomUUID } from 'node:crypto';
import type pg from 'pg';
import { inTransaction } from '../postgres/postgres-transaction.js';
import { CustomerKeyCache } from './customer-key-cache.js';
import type { CustomerKey, CustomerKeys, ErasureResult, SqlQuery } from './customer-keys.js';
import { KEY_ERASED_CHANNEL, migrateCustomerKeys, type PersonalDataSettings } from './postgres-customer-keys.schema.js';
import { PostgresKeyErasureListener } from './postgres-key-erasure-listener.js';

interface KeyRow {
  key_id: string;
  subject_id: string;
  key: Buffer | null;
}

/** Concurrent first uses of one customer: each round sees the other's key once it has committed. */
const MAX_KEY_ROUNDS = 3;
const SUBJECT_MEMO_SIZE = 10_000;

/** The key table on PostgreSQL, with a bounded in-memory cache that erasures anywhere invalidate (LISTEN/NOTIFY). */
export class PostgresCustomerKeys implements CustomerKeys {
  private readonly cache = new CustomerKeyCache();
  private readonly listener: PostgresKeyErasureListener;
  /** Addresses as events give them to their subject ids (in memory only, like the events being written). */
  private readonly subjects = new Map<string, string>();

  private constructor(
    private readonly pool: pg.Pool,
    private readonly settings: PersonalDataSettings,
    /** The events are in this database: see makeKeys. */
    private readonly sharesLogWithEvents: boolean,
  ) {
    this.listener = new PostgresKeyErasureListener(pool.options, {
      listening: (on) => this.cache.setListening(on),
      erased: (subjectId) => this.cache.forgetSubject(subjectId),
    });
  }

  /** `hasEventsTable`: the events live in this database too (PostgreSQL backend), so the ones in clear can be searched. */
  static async open(pool: pg.Pool, options: { hasEventsTable: boolean }): Promise<PostgresCustomerKeys> {
    const keys = new PostgresCustomerKeys(pool, await migrateCustomerKeys(pool, options.hasEventsTable), options.hasEventsTable);
    await keys.listener.start();
    return keys;
  }

  subjectOf(email: string): string {
    const known = this.subjects.get(email);
    if (known) return known;
    const subjectId = createHmac('sha256', this.settings.subjectSecret).update(email.trim().normalize('NFC').toLowerCase()).digest('hex');
    // A plain bound, not an LRU: the memo only spares the HMAC for the customers of the last few thousand events.
    if (this.subjects.size >= SUBJECT_MEMO_SIZE) this.subjects.clear();
    this.subjects.set(email, subjectId);
    return subjectId;
  }

  async keysForWriting(emails: readonly string[]): Promise<Map<string, CustomerKey>> {
    const found = new Map<string, CustomerKey>();
    let missing = new Set<string>();
    for (const email of emails) {
      const subjectId = this.subjectOf(email);
      const cached = this.cache.bySubject(subjectId);
      if (cached) found.set(subjectId, cached);
      else missing.add(subjectId);
    }
    for (let round = 1; missing.size > 0; round++) {
      if (round > MAX_KEY_ROUNDS) throw new Error(`No live key could be made for ${missing.size} customers`);
      const generation = this.cache.currentGeneration;
      // A customer missing from the cache is mostly a new one: one statement makes the key (or finds the one they have).
      const keys = await this.makeKeys([...missing]);
      for (const key of keys) found.set(key.subjectId, key);
      this.cache.remember(keys, [], generation);
      missing = new Set([...missing].filter((subjectId) => !found.has(subjectId)));
    }
    return found;
  }

  async keysForReading(keyIds: readonly string[]): Promise<Map<string, Buffer>> {
    const found = new Map<string, Buffer>();
    const missing: string[] = [];
    for (const keyId of new Set(keyIds)) {
      const cached = this.cache.byKeyId(keyId);
      if (cached === undefined) missing.push(keyId);
      else if (cached !== 'erased') found.set(keyId, cached.key);
    }
    if (missing.length === 0) return found;
    const generation = this.cache.currentGeneration;
    const { rows } = await this.pool.query<KeyRow>({
      name: 'customer_keys_by_id',
      text: 'SELECT key_id, subject_id, key FROM customer_keys WHERE key_id = ANY($1::uuid[])',
      values: [missing],
    });
    const live = rows.filter((row) => row.key !== null).map(toKey);
    for (const key of live) found.set(key.keyId, key.key);
    this.cache.remember(
      live,
      rows.filter((row) => row.key === null).map((row) => row.key_id),
      generation,
    );
    return found;
  }

  async erase(email: string, by: { actor: string; reason: string }, alsoErase: (query: SqlQuery) => Promise<boolean>): Promise<ErasureResult> {
    const subjectId = this.subjectOf(email);
    const result = await inTransaction(this.pool, async (client) => {
      // One erasure of a customer at a time; a key made meanwhile by an append is destroyed too, or made after.
      await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`customer-erasure:${subjectId}`]);
      const destroyed = await client.query(
        `UPDATE customer_keys SET key = NULL, erased_at = date_trunc('milliseconds', now()), erased_by = $2, reason = $3
          WHERE subject_id = $1 AND erased_at IS NULL RETURNING key_id`,
        [subjectId, by.actor, by.reason],
      );
      const foundMore = await alsoErase(async (sql, params) => (await client.query(sql, params)).rows);
      const known = await client.query<{ count: string }>('SELECT count(*) AS count FROM customer_keys WHERE subject_id = $1', [subjectId]);
      if (Number(known.rows[0].count) === 0 && foundMore) {
        await client.query(`INSERT INTO customer_keys (key_id, subject_id, key, erased_at, erased_by, reason) VALUES ($1, $2, NULL, date_trunc('milliseconds', now()), $3, $4)`, [
          randomUUID(),
          subjectId,
          by.actor,
          by.reason,
        ]);
      }
      const latest = await client.query<{ erased_at: Date; erased_by: string; reason: string; keys: string }>(
        `SELECT erased_at, erased_by, reason, count(*) OVER () AS keys FROM customer_keys
          WHERE subject_id = $1 ORDER BY erased_at DESC NULLS LAST LIMIT 1`,
        [subjectId],
      );
      await client.query('SELECT pg_notify($1, $2)', [KEY_ERASED_CHANNEL, subjectId]);
      const row = latest.rows[0];
      return {
        subjectId,
        keysDestroyed: destroyed.rowCount ?? 0,
        keysKnown: row ? Number(row.keys) : 0,
        erasure: row?.erased_at ? { erasedAt: row.erased_at.toISOString(), erasedBy: row.erased_by, reason: row.reason } : null,
      };
    });
    this.cache.forgetSubject(subjectId);
    return result;
  }

  async countClearEventsMentioning(text: string): Promise<number> {
    if (this.settings.clearEventsUntil === null) return 0;
    const { rows } = await this.pool.query<{ count: string }>(`SELECT count(*) AS count FROM events WHERE global_position <= $1 AND strpos(lower(data::text), lower($2)) > 0`, [
      this.settings.clearEventsUntil,
      JSON.stringify(text).slice(1, -1),
    ]);
    return Number(rows[0].count);
  }

  keysVersion(): number | null {
    return this.cache.trustedGeneration;
  }

  close(): Promise<void> {
    return this.listener.close();
  }

  /**
   * New keys for customers without one, and in the same statement the live key of those who have one (a returning
   * customer the cache lacks costs no second round trip). A customer given one by someone else after this statement
   * began is in neither half: the caller asks again in its next round, which sees it. One whose key an erasure
   * destroyed meanwhile may be in both (the erased key is still in this statement's snapshot): the new key wins.
   * With the events in the same database the key's commit need not wait for the disk (a commit flush of its own on
   * every new customer's first append): an event sealed with the key commits later in the same write-ahead log, and
   * its flush makes the key durable with it. With events elsewhere (EventStoreDB) the key is flushed first.
   */
  private async makeKeys(subjectIds: string[]): Promise<CustomerKey[]> {
    if (subjectIds.length === 0) return [];
    const fresh = new Map(subjectIds.map((subjectId) => [subjectId, { keyId: randomUUID(), subjectId, key: randomBytes(32) }]));
    const { rows } = await this.pool.query<KeyRow>({
      // Named: the server plans it once per connection, not on every first use.
      name: this.sharesLogWithEvents ? 'customer_keys_make_without_flush' : 'customer_keys_make',
      text: `WITH made AS (
               INSERT INTO customer_keys (key_id, subject_id, key)
               SELECT * FROM unnest($1::uuid[], $2::text[], $3::bytea[])
               ${this.sharesLogWithEvents ? "WHERE set_config('synchronous_commit', 'off', true) IS NOT NULL" : ''}
               ON CONFLICT (subject_id) WHERE erased_at IS NULL DO NOTHING
               RETURNING key_id, subject_id)
             SELECT key_id, subject_id, NULL::bytea AS key FROM made
             UNION ALL
             SELECT key_id, subject_id, key FROM customer_keys
              WHERE subject_id = ANY($2::text[]) AND erased_at IS NULL AND subject_id NOT IN (SELECT subject_id FROM made)`,
      values: [[...fresh.values()].map((key) => key.keyId), subjectIds, [...fresh.values()].map((key) => key.key)],
    });
    // A made row comes back without its key (the key is already here); a found one with it.
    return rows.map((row) => (row.key === null ? fresh.get(row.subject_id)! : toKey(row)));
  }
}

function toKey(row: KeyRow): CustomerKey {
  return { keyId: row.key_id, subjectId: row.subject_id, key: row.key! };
}
