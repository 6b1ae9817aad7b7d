import pg from 'pg';

/**
 * A pool for a test file's database. DROP DATABASE … WITH (FORCE) in afterAll can reach a connection that
 * pool.end() is still closing; that one termination is expected, anything else still surfaces.
 */
export function testPool(connectionString: string, max: number, applicationName?: string): pg.Pool {
  const pool = new pg.Pool({ connectionString, max, application_name: applicationName });
  pool.on('error', (error: Error & { code?: string }) => {
    if (error.code !== ADMIN_SHUTDOWN) throw error;
  });
  return pool;
}

const ADMIN_SHUTDOWN = '57P01';
