import pg from 'pg';

/** A pool whose idle clients may lose their server (an interrupted run) without crashing the contender's process. */
export function openBenchPool(url: string, max: number): pg.Pool {
  const pool = new pg.Pool({ connectionString: url, max });
  pool.on('error', () => undefined);
  return pool;
}
