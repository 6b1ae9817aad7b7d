import type { startEmbeddedPostgres as Start } from '../../libs/database/src/embedded-postgres.js';

// Jest loads global setup through its CommonJS transform, where `.js` → `.ts` mapping does not apply.
const embeddedPostgresModule = '../../libs/database/src/embedded-postgres';

/**
 * One PostgreSQL server for the whole test run: the one in TEST_DATABASE_URL / DATABASE_URL if given,
 * otherwise an embedded one. Each test file makes its own database on it (see test-database.ts).
 */
export default async function globalSetup(): Promise<void> {
  const given = process.env.TEST_DATABASE_URL ?? process.env.DATABASE_URL;
  if (given) {
    process.env.TEST_DATABASE_URL = given;
    return;
  }
  const { startEmbeddedPostgres } = (await import(embeddedPostgresModule)) as { startEmbeddedPostgres: typeof Start };
  const dataDir = `${process.cwd()}/.test-data/run-${process.pid}`;
  const database = await startEmbeddedPostgres({ dataDir, database: 'postgres', flags: ['-c', 'fsync=off', '-c', 'max_connections=300'] });
  process.env.TEST_DATABASE_URL = database.url;
  (globalThis as { __embeddedPostgres?: typeof database }).__embeddedPostgres = database;
}
