import { randomUUID } from 'node:crypto';
import type { SqlPool } from '#database';
import type { EventMetadata, EventStore } from '#event-store';
import type { Role } from '../config.js';
import { normalizeEmail } from './account-input.js';
import { hashPassword } from './password-hashing.js';
import { type UserEvent, userStream } from './user.events.js';

export interface Account {
  id: string;
  email: string;
  name: string;
  role: Role;
  disabled: boolean;
}

export interface AccountWithHash extends Account {
  passwordHash: string;
}

/** What the API shows of a person: never the hash, never whether it is disabled (a disabled one is not signed in). */
export type PublicUser = Pick<Account, 'id' | 'email' | 'name' | 'role'>;

export const publicUser = ({ id, email, name, role }: Account): PublicUser => ({ id, email, name, role });

export class AccountError extends Error {
  constructor(
    readonly code: 'ACCOUNT_EXISTS' | 'ACCOUNT_NOT_FOUND',
    message: string,
  ) {
    super(message);
    this.name = 'AccountError';
  }
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const COLUMNS = 'id, email, name, role, password_hash, disabled_at';
type Row = { id: string; email: string; name: string; role: Role; password_hash: string; disabled_at: Date | null };
const toAccount = (row: Row): AccountWithHash => ({
  id: row.id,
  email: row.email,
  name: row.name,
  role: row.role,
  disabled: row.disabled_at !== null,
  passwordHash: row.password_hash,
});

/**
 * The accounts table and the record of what happens to it. A change is made to the row first, then told as an event
 * in the account's stream (the event store may be another database, so the two cannot share a transaction).
 */
export class Accounts {
  constructor(
    private readonly pool: SqlPool,
    private readonly store: EventStore,
  ) {}

  async byEmail(email: string): Promise<AccountWithHash | null> {
    const { rows } = await this.pool.query<Row>(`SELECT ${COLUMNS} FROM user_accounts WHERE email = $1`, [normalizeEmail(email)]);
    return rows[0] ? toAccount(rows[0]) : null;
  }

  async byId(id: string): Promise<AccountWithHash | null> {
    if (!UUID.test(id)) return null;
    const { rows } = await this.pool.query<Row>(`SELECT ${COLUMNS} FROM user_accounts WHERE id = $1`, [id]);
    return rows[0] ? toAccount(rows[0]) : null;
  }

  async count(): Promise<number> {
    const { rows } = await this.pool.query<{ count: string }>('SELECT count(*) FROM user_accounts');
    return Number(rows[0].count);
  }

  async add(input: { email: string; name: string; role: Role; password: string }, metadata: EventMetadata): Promise<Account> {
    const id = randomUUID();
    const email = normalizeEmail(input.email);
    const passwordHash = await hashPassword(input.password);
    const { rowCount } = await this.pool.query(
      `INSERT INTO user_accounts (id, email, name, role, password_hash, created_at, updated_at)
       VALUES ($1, $2, $3, $4, $5, now(), now()) ON CONFLICT (email) DO NOTHING`,
      [id, email, input.name, input.role, passwordHash],
    );
    if (rowCount === 0) throw new AccountError('ACCOUNT_EXISTS', `An account with the email ${email} exists already`);
    await this.record(id, { type: 'UserAdded', data: { userId: id, email, name: input.name, role: input.role } }, metadata);
    return { id, email, name: input.name, role: input.role, disabled: false };
  }

  /** A new password (enabling the account again if it was disabled); every session of the account ends. */
  async resetPassword(email: string, password: string, metadata: EventMetadata): Promise<Account> {
    const passwordHash = await hashPassword(password);
    const { rows } = await this.pool.query<Row>(`UPDATE user_accounts SET password_hash = $2, disabled_at = NULL, updated_at = now() WHERE email = $1 RETURNING ${COLUMNS}`, [
      normalizeEmail(email),
      passwordHash,
    ]);
    if (!rows[0]) throw new AccountError('ACCOUNT_NOT_FOUND', `No account has the email ${normalizeEmail(email)}`);
    await this.endSessions(rows[0].id);
    await this.record(rows[0].id, { type: 'UserPasswordReset', data: { userId: rows[0].id } }, metadata);
    return toAccount(rows[0]);
  }

  /** The account can no longer sign in, and its sessions end now rather than at their idle expiry. */
  async disable(email: string, metadata: EventMetadata): Promise<Account> {
    const { rows } = await this.pool.query<Row>(`UPDATE user_accounts SET disabled_at = coalesce(disabled_at, now()), updated_at = now() WHERE email = $1 RETURNING ${COLUMNS}`, [
      normalizeEmail(email),
    ]);
    if (!rows[0]) throw new AccountError('ACCOUNT_NOT_FOUND', `No account has the email ${normalizeEmail(email)}`);
    const sessionsEnded = await this.endSessions(rows[0].id);
    await this.record(rows[0].id, { type: 'UserDisabled', data: { userId: rows[0].id, sessionsEnded } }, metadata);
    return toAccount(rows[0]);
  }

  async record(userId: string, event: UserEvent, metadata: EventMetadata): Promise<void> {
    await this.store.appendToStream(userStream(userId), [{ id: randomUUID(), ...event, metadata }], { expectedRevision: 'any' });
  }

  private async endSessions(userId: string): Promise<number> {
    const { rowCount } = await this.pool.query(`DELETE FROM user_sessions WHERE sess->>'userId' = $1`, [userId]);
    return rowCount ?? 0;
  }
}
