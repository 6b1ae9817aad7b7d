import pg from 'pg';

export type SqlPool = pg.Pool;

/**
 * A small pool for the tables the app owns outside the event store and the read models (accounts, sessions), so that
 * only this library meets the driver. An idle client that loses its server must not take the process down: the error
 * is dropped here and the next query reconnects.
 */
export function openSqlPool(connectionString: string, max: number): SqlPool {
  const pool = new pg.Pool({ connectionString, max });
  pool.on('error', () => undefined);
  return pool;
}
