import { readdir, rm } from 'node:fs/promises';
import Module from 'node:module';
import { join } from 'node:path';
import type { startEmbeddedPostgres as Start, clearLeftoverPostmaster as Clear } from '#database';

// Jest loads global setup through its CommonJS transform, where `.js` → `.ts` mapping does not apply.
const embeddedPostgresModule = '../../libs/database/src/embedded-postgres';
const leftoverPostmasterModule = '../../libs/database/src/leftover-postmaster';

/**
 * One PostgreSQL server for the whole test run: the one in TEST_DATABASE_URL / DATABASE_URL if given,
 * otherwise an embedded one. Each test file makes its own database on it (see test-database.ts).
 * The embedded server stops with the Jest process however that ends (see libs/database's postgres-process.ts).
 */
export default async function globalSetup(): Promise<void> {
  const given = process.env.TEST_DATABASE_URL ?? process.env.DATABASE_URL;
  if (given) {
    process.env.TEST_DATABASE_URL = given;
    return;
  }
  resolveRelativeJsToTs();
  const { startEmbeddedPostgres } = (await import(embeddedPostgresModule)) as { startEmbeddedPostgres: typeof Start };
  await removeRunsOfDeadProcesses(join(process.cwd(), '.test-data'));
  const dataDir = `${process.cwd()}/.test-data/run-${process.pid}`;
  const database = await startEmbeddedPostgres({ dataDir, database: 'postgres', flags: ['-c', 'fsync=off', '-c', 'max_connections=300'] });
  process.env.TEST_DATABASE_URL = database.url;
  (globalThis as { __embeddedPostgres?: typeof database }).__embeddedPostgres = database;
}

/** The library's own `./x.js` imports name TypeScript files here, as the moduleNameMapper does for the tests. */
function resolveRelativeJsToTs(): void {
  const loader = Module as unknown as { _resolveFilename(request: string, ...rest: unknown[]): string };
  const resolveFilename = loader._resolveFilename;
  loader._resolveFilename = function (request: string, ...rest: unknown[]): string {
    try {
      return resolveFilename.call(this, request, ...rest);
    } catch (error) {
      if (!/^\.{1,2}\/.*\.js$/.test(request)) throw error;
      return resolveFilename.call(this, request.replace(/\.js$/, '.ts'), ...rest);
    }
  };
}

/** A run killed before its teardown leaves its folder (its server stops with it); folders of live runs are kept. */
async function removeRunsOfDeadProcesses(testData: string): Promise<void> {
  const { clearLeftoverPostmaster } = (await import(leftoverPostmasterModule)) as { clearLeftoverPostmaster: typeof Clear };
  for (const name of await readdir(testData).catch(() => [])) {
    const pid = Number(/^run-(\d+)$/.exec(name)?.[1]);
    if (!pid || isAlive(pid)) continue;
    await clearLeftoverPostmaster(join(testData, name, 'postgres'), () => undefined);
    await rm(join(testData, name), { recursive: true, force: true });
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
