import type pg from 'pg';
import { inTransaction } from './postgres-transaction.js';

/**
 * Applies idempotent DDL under a transaction-scoped advisory lock, so that several processes starting
 * at once do not race on `CREATE ... IF NOT EXISTS` (which is not safe against concurrent creation).
 */
export async function applySchema(
  pool: pg.Pool,
  lockName: string,
  sql: string,
  /** Data steps that need the new schema, in the same transaction and under the same lock. */
  afterSchema?: (client: pg.PoolClient) => Promise<void>,
): Promise<void> {
  await inTransaction(pool, async (client) => {
    await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [lockName]);
    await client.query(sql);
    await afterSchema?.(client);
  });
}
