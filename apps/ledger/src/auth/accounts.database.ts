import { randomBytes } from 'node:crypto';
import { DataSource } from 'typeorm';
import { openSqlPool, type SqlPool } from '#database';
import { CreateAccounts1768003200000 } from './migrations/1768003200000-create-accounts.js';

const MIGRATION_LOCK_KEY = 'ledger:account-migrations';

export interface AccountsDatabase {
  pool: SqlPool;
  /** Signs the session cookie; made once per database, so every instance on it accepts the same cookies. */
  sessionSecret: string;
  close(): Promise<void>;
}

/**
 * The accounts' tables, migrated like the read models (TypeORM migrations under an advisory lock, so two instances
 * starting together on a fresh database do not both create them) but in their own migrations table: they are not a
 * read model, and `projections:rebuild` must never reach them.
 */
export async function openAccountsDatabase(url: string): Promise<AccountsDatabase> {
  await runAccountMigrations(url);
  const pool = openSqlPool(url, 4);
  try {
    await pool.query(`INSERT INTO auth_settings (name, value) VALUES ('session-secret', $1) ON CONFLICT (name) DO NOTHING`, [randomBytes(32).toString('base64url')]);
    const { rows } = await pool.query<{ value: string }>(`SELECT value FROM auth_settings WHERE name = 'session-secret'`);
    return { pool, sessionSecret: rows[0].value, close: () => pool.end() };
  } catch (error) {
    await pool.end().catch(() => undefined);
    throw error;
  }
}

async function runAccountMigrations(url: string): Promise<void> {
  const dataSource = await new DataSource({
    type: 'postgres',
    url,
    migrations: [CreateAccounts1768003200000],
    migrationsTableName: 'account_migrations',
    synchronize: false,
    extra: { max: 1 },
  }).initialize();
  try {
    await dataSource.query('SELECT pg_advisory_lock(hashtextextended($1, 0))', [MIGRATION_LOCK_KEY]);
    await dataSource.runMigrations({ transaction: 'all' });
  } finally {
    await dataSource.query('SELECT pg_advisory_unlock(hashtextextended($1, 0))', [MIGRATION_LOCK_KEY]).catch(() => undefined);
    await dataSource.destroy();
  }
}
