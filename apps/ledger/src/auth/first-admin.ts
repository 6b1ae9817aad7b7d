import { randomBytes, randomUUID } from 'node:crypto';
import type { SqlPool } from '#database';
import type { EventMetadata } from '#event-store';
import { AccountError, type Accounts } from './accounts.js';
import type { AuthSettings } from './auth.config.js';

export const GENERATED_ADMIN_EMAIL = 'admin@ledger.local';
const LOCK_KEY = 'ledger:first-admin';

export type FirstAdmin = { kind: 'configured'; email: string; added: boolean } | { kind: 'generated'; email: string; password: string } | { kind: 'none' };

/**
 * Nobody can sign in to an empty accounts table, so the first start makes an admin: the one in ADMIN_EMAIL /
 * ADMIN_PASSWORD when no account has that email yet (a password changed later with the CLI is kept), otherwise,
 * when there are no accounts at all, one with a generated password that the caller prints once. Under an advisory
 * lock, so two instances starting together make one.
 */
export async function ensureFirstAdmin(pool: SqlPool, accounts: Accounts, settings: Pick<AuthSettings, 'firstAdmin'>): Promise<FirstAdmin> {
  const lock = await pool.connect();
  try {
    await lock.query('SELECT pg_advisory_lock(hashtextextended($1, 0))', [LOCK_KEY]);
    const metadata: EventMetadata = { actor: 'ledger start-up', source: 'admin', correlationId: randomUUID(), causationId: null, reason: null };
    const configured = settings.firstAdmin;
    if (configured) {
      if (await accounts.byEmail(configured.email)) return { kind: 'configured', email: configured.email, added: false };
      await accounts.add({ email: configured.email, name: 'Administrator', role: 'admin', password: configured.password }, { ...metadata, reason: 'ADMIN_EMAIL' });
      return { kind: 'configured', email: configured.email, added: true };
    }
    if ((await accounts.count()) > 0) return { kind: 'none' };
    const password = randomBytes(18).toString('base64url');
    try {
      await accounts.add({ email: GENERATED_ADMIN_EMAIL, name: 'Administrator', role: 'admin', password }, { ...metadata, reason: 'first start without ADMIN_EMAIL' });
    } catch (error) {
      if (error instanceof AccountError) return { kind: 'none' };
      throw error;
    }
    return { kind: 'generated', email: GENERATED_ADMIN_EMAIL, password };
  } finally {
    await lock.query('SELECT pg_advisory_unlock(hashtextextended($1, 0))', [LOCK_KEY]).catch(() => undefined);
    lock.release();
  }
}
