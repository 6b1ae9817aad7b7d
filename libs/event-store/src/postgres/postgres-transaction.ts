import type pg from 'pg';

/**
 * Runs `work` in a transaction on a connection of its own: committed when it returns (early returns included),
 * rolled back when it throws. `begin` names the isolation level or access mode where the default will not do.
 */
export async function inTransaction<T>(pool: pg.Pool, work: (client: pg.PoolClient) => Promise<T>, begin = 'BEGIN'): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query(begin);
    const result = await work(client);
    await client.query('COMMIT');
    return result;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}
