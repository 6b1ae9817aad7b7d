import pg from 'pg';
import { createTestDatabase, type TestDatabase } from '#test-support/test-database';
import { PostgresEventStore, type PostgresEventStoreOptions } from '../src/postgres/postgres-event-store.js';

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

/** A PostgreSQL event store on a database of its own for one test file: opened before its first test, closed after its last. */
export function postgresStoreForFile(prefix: string, poolSize: number, options?: PostgresEventStoreOptions) {
  let database: TestDatabase | undefined;
  let opened: { pool: pg.Pool; store: PostgresEventStore } | undefined;
  beforeAll(async () => {
    database = await createTestDatabase(prefix);
    const pool = testPool(database.url, poolSize);
    opened = { pool, store: await PostgresEventStore.create(pool, options) };
  });
  afterAll(async () => {
    await opened?.store.close();
    await opened?.pool.end();
    await database?.drop();
  });
  const open = () => {
    if (!opened) throw new Error('the store opens in beforeAll');
    return opened;
  };
  return {
    get pool() {
      return open().pool;
    },
    get store() {
      return open().store;
    },
  };
}
