import type { SqlPool } from '#database';
import type { AuthSettings } from './auth.config.js';

export interface ThrottleVerdict {
  /** When the lock ends; null: the attempt may go ahead. */
  lockedUntil: Date | null;
  by: 'email' | 'address' | null;
}

/**
 * Failed sign-ins counted per email and per client address, in PostgreSQL so every instance on the database counts
 * the same. A key with `max` failures inside the window is locked for the window's length; a success clears its
 * email's count (not its address's: one good account must not reset a guesser's budget). Rows whose window and lock
 * are over are deleted as failures come in, so strangers' made-up emails do not pile up.
 */
export class SignInThrottle {
  constructor(
    private readonly pool: SqlPool,
    private readonly settings: Pick<AuthSettings, 'maxFailuresPerEmail' | 'maxFailuresPerIp' | 'lockMs'>,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async check(email: string, address: string): Promise<ThrottleVerdict> {
    const { rows } = await this.pool.query<{ key: string; locked_until: Date }>(
      'SELECT key, locked_until FROM sign_in_throttle WHERE key = ANY($1) AND locked_until > $2 ORDER BY locked_until DESC',
      [[emailKey(email), addressKey(address)], this.now()],
    );
    if (!rows[0]) return { lockedUntil: null, by: null };
    return { lockedUntil: rows[0].locked_until, by: rows[0].key.startsWith('email:') ? 'email' : 'address' };
  }

  /** Counts one failure against both keys; answers whether this failure locked either of them. */
  async failed(email: string, address: string): Promise<ThrottleVerdict> {
    const now = this.now();
    const windowStart = new Date(now.getTime() - this.settings.lockMs);
    await this.pool.query('DELETE FROM sign_in_throttle WHERE window_started_at < $1 AND (locked_until IS NULL OR locked_until < $2)', [windowStart, now]);
    const lockedUntil = new Date(now.getTime() + this.settings.lockMs);
    const locked: ThrottleVerdict = { lockedUntil: null, by: null };
    for (const [key, max, by] of [
      [emailKey(email), this.settings.maxFailuresPerEmail, 'email'],
      [addressKey(address), this.settings.maxFailuresPerIp, 'address'],
    ] as const) {
      const { rows } = await this.pool.query<{ failures: number }>(
        `INSERT INTO sign_in_throttle AS t (key, failures, window_started_at) VALUES ($1, 1, $2)
         ON CONFLICT (key) DO UPDATE SET
           failures = CASE WHEN t.window_started_at < $3 THEN 1 ELSE t.failures + 1 END,
           window_started_at = CASE WHEN t.window_started_at < $3 THEN $2 ELSE t.window_started_at END
         RETURNING failures`,
        [key, now, windowStart],
      );
      if (rows[0].failures >= max) {
        await this.pool.query('UPDATE sign_in_throttle SET locked_until = $2 WHERE key = $1', [key, lockedUntil]);
        locked.lockedUntil ??= lockedUntil;
        locked.by ??= by;
      }
    }
    return locked;
  }

  async succeeded(email: string): Promise<void> {
    await this.pool.query('DELETE FROM sign_in_throttle WHERE key = $1', [emailKey(email)]);
  }
}

const emailKey = (email: string) => `email:${email}`;
const addressKey = (address: string) => `address:${address}`;
