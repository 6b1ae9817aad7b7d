import { readdir, rm } from 'node:fs/promises';
import Module from 'node:module';
import { join } from 'node:path';
import type { startEmbeddedPostgres as Start, clearLeftoverPostmaster as Clear } from '#database';

// Jest loads global setup through its CommonJS transform, where `.js` → `.ts` mapping does not apply.
const embeddedPostgresModule = '../../libs/database/src/embedded-postgres';
const leftoverPostmasterModule = '../../libs/database/src/leftover-postmaster';

/**
 * One PostgreSQL server per Jest worker: the one in TEST_DATABASE_URL / DATABASE_URL if given (then all workers share
 * it), otherwise an embedded one each. Each test file makes its own database on its worker's server (see
 * test-database.ts).
 *
 * Why not one server for all: the store reads only below the oldest transaction still open on the server (gap-safe
 * order), and that horizon is the whole server's, not one database's. A test file that holds a transaction open on
 * purpose, or a slow machine's long seed, then held back the subscriptions of the file running beside it, whose
 * waits timed out (CI, 2 December 2026). A worker runs its files one after another, so with a server of its own
 * only a file's own transactions hold its horizon.
 * The embedded servers stop with the Jest process however that ends (see libs/database's postgres-process.ts).
 */
export default async function globalSetup(globalConfig: { maxWorkers: number }): Promise<void> {
  const given = process.env.TEST_DATABASE_URL ?? process.env.DATABASE_URL;
  if (given) {
    process.env.TEST_DATABASE_URL = given;
    delete process.env.TEST_DATABASE_URLS;
    return;
  }
  resolveRelativeJsToTs();
  const { startEmbeddedPostgres } = (await import(embeddedPostgresModule)) as { startEmbeddedPostgres: typeof Start };
  await removeRunsOfDeadProcesses(join(process.cwd(), '.test-data'));
  const run = `${process.cwd()}/.test-data/run-${process.pid}`;
  const workers = Math.max(1, globalConfig.maxWorkers);
  const servers = [];
  // One after another: each start picks a free port, and two picking at once could pick the same one.
  for (let worker = 1; worker <= workers; worker++) {
    servers.push(await startEmbeddedPostgres({ dataDir: `${run}/worker-${worker}`, database: 'postgres', flags: ['-c', 'fsync=off', '-c', 'max_connections=300'] }));
  }
  process.env.TEST_DATABASE_URLS = servers.map((server) => server.url).join(' ');
  (globalThis as { __embeddedPostgres?: typeof servers }).__embeddedPostgres = servers;
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
    for (const worker of await readdir(join(testData, name)).catch(() => [])) {
      if (worker.startsWith('worker-')) await clearLeftoverPostmaster(join(testData, name, worker, 'postgres'), () => undefined);
    }
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
