import { createHash } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { canonicalJson, IdempotencyKeyInUseError, IdempotencyKeyReusedError, ValidationFailedError } from '#domain';

/**
 * A request still marked running whose last progress is older than this was cut short (a crash, a lost instance):
 * its repeat takes it over and carries out what is left. Each step of a request records progress well within it.
 */
export const RUNNING_LEASE_MS = 60_000;

const SCHEMA = `
CREATE TABLE IF NOT EXISTS idempotent_requests (
  scope text NOT NULL,
  key text NOT NULL,
  fingerprint text NOT NULL,
  status text NOT NULL CHECK (status IN ('running', 'done')),
  steps jsonb NOT NULL DEFAULT '{}'::jsonb,
  answer jsonb,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (scope, key)
)`;

/** What a request with a key finds: nothing yet (carry it out), the stored answer, or an interrupted run to finish. */
export type Claim<Answer, Step> = { kind: 'first'; steps: Map<number, Step> } | { kind: 'answered'; answer: Answer } | { kind: 'resumed'; steps: Map<number, Step> };

/** `Idempotency-Key`: printable ASCII without spaces, up to 255 characters (as the IETF draft's examples). */
export function idempotencyKeyFromHeader(header: string | undefined): string | null {
  if (header === undefined) return null;
  if (!/^[\x21-\x7E]{1,255}$/.test(header)) {
    throw new ValidationFailedError('Idempotency-Key must be 1-255 printable ASCII characters without spaces', { header: 'Idempotency-Key' });
  }
  return header;
}

/** The request's fingerprint: the same body written with its keys in another order is the same request. */
export const fingerprintOf = (request: unknown): string => createHash('sha256').update(canonicalJson(request)).digest('hex');

/**
 * Requests that must not act twice (POST /appointments/bulk, a staff absence's real call), by key: stored in
 * PostgreSQL with the request's fingerprint, each step's result as it is done, and the answer at the end. A repeat
 * gets the stored answer; a repeat while the first still runs is told to come back (nothing acts twice); a repeat of
 * a run that was cut short carries out only the steps without a result.
 */
export class IdempotentRequests {
  static async open(dataSource: DataSource): Promise<IdempotentRequests> {
    await dataSource.transaction(async (manager) => {
      // Two instances starting at once would both try to create the table.
      await manager.query(`SELECT pg_advisory_xact_lock(hashtextextended('ledger:idempotent-requests-schema', 0))`);
      await manager.query(SCHEMA);
    });
    return new IdempotentRequests(dataSource);
  }

  constructor(private readonly dataSource: DataSource) {}

  async claim<Answer, Step>(scope: string, key: string, fingerprint: string): Promise<Claim<Answer, Step>> {
    const inserted = await this.dataSource.query(
      `INSERT INTO idempotent_requests (scope, key, fingerprint, status) VALUES ($1, $2, $3, 'running')
       ON CONFLICT (scope, key) DO NOTHING RETURNING key`,
      [scope, key, fingerprint],
    );
    if (inserted.length > 0) return { kind: 'first', steps: new Map() };
    const [row] = await this.dataSource.query(
      `SELECT fingerprint, status, steps, answer, updated_at < now() - make_interval(secs => $3::float8 / 1000) AS lapsed, updated_at::text AS seen
       FROM idempotent_requests WHERE scope = $1 AND key = $2`,
      [scope, key, RUNNING_LEASE_MS],
    );
    // Released between our insert and our read: this request is the first after all.
    if (!row) return this.claim(scope, key, fingerprint);
    if (row.fingerprint !== fingerprint) throw new IdempotencyKeyReusedError(key);
    if (row.status === 'done') return { kind: 'answered', answer: row.answer as Answer };
    if (!row.lapsed) throw new IdempotencyKeyInUseError(key);
    const taken = await this.dataSource.query(
      `UPDATE idempotent_requests SET updated_at = now() WHERE scope = $1 AND key = $2 AND status = 'running' AND updated_at::text = $3 RETURNING key`,
      [scope, key, row.seen],
    );
    if (taken.length === 0) throw new IdempotencyKeyInUseError(key);
    return { kind: 'resumed', steps: new Map(Object.entries(row.steps ?? {}).map(([index, step]) => [Number(index), step as Step])) };
  }

  /** One step done: kept at once, so a run cut short after it does not do it again. */
  async stepDone(scope: string, key: string, index: number, result: unknown): Promise<void> {
    await this.dataSource.query(`UPDATE idempotent_requests SET steps = steps || jsonb_build_object($3::text, $4::jsonb), updated_at = now() WHERE scope = $1 AND key = $2`, [
      scope,
      key,
      String(index),
      JSON.stringify(result),
    ]);
  }

  async answered(scope: string, key: string, answer: unknown): Promise<void> {
    await this.dataSource.query(`UPDATE idempotent_requests SET status = 'done', answer = $3::jsonb, updated_at = now() WHERE scope = $1 AND key = $2`, [
      scope,
      key,
      JSON.stringify(answer),
    ]);
  }

  /**
   * Answered in part: the steps refused for now (nothing done, e.g. 503 READ_MODEL_BEHIND) have no kept result, and the
   * next repeat takes the request over at once and carries out only them.
   */
  async leaveForRepeat(scope: string, key: string): Promise<void> {
    await this.dataSource.query(`UPDATE idempotent_requests SET updated_at = '-infinity' WHERE scope = $1 AND key = $2 AND status = 'running'`, [scope, key]);
  }

  /** The request was refused before it acted: the key is free again, so the client can correct and resend. */
  async release(scope: string, key: string): Promise<void> {
    await this.dataSource.query(`DELETE FROM idempotent_requests WHERE scope = $1 AND key = $2 AND status = 'running' AND steps = '{}'::jsonb`, [scope, key]);
  }
}
