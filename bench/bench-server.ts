import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { startEmbeddedPostgres } from '../libs/database/src/embedded-postgres.js';

/** The one PostgreSQL server of a run, on which every contender gets its own databases. */
export interface BenchServer {
  /** `embedded` or the DATABASE_URL's host. */
  readonly description: string;
  readonly version: string;
  /** Creates (after dropping any leftover) a database and returns its URL. */
  createDatabase(name: string): Promise<string>;
  /** Drops the databases this run created and stops an embedded server. */
  close(): Promise<void>;
}

/**
 * With a URL, uses that server; without one, starts an embedded PostgreSQL in a fresh temporary folder with the
 * server's default durability (fsync and synchronous_commit on), removed afterwards.
 */
export async function openBenchServer(databaseUrl: string | null, log: (line: string) => void): Promise<BenchServer> {
  if (databaseUrl) return serverAt(databaseUrl, new URL(databaseUrl).host, async () => undefined);
  const dataDir = await mkdtemp(join(tmpdir(), 'ledger-bench-'));
  log(`Starting an embedded PostgreSQL in ${dataDir}`);
  const embedded = await startEmbeddedPostgres({ dataDir, database: 'postgres' });
  return serverAt(embedded.url, 'embedded', async () => {
    await embedded.stop();
    await rm(dataDir, { recursive: true, force: true });
  });
}

async function serverAt(adminUrl: string, description: string, shutDown: () => Promise<void>): Promise<BenchServer> {
  const admin = new pg.Client(adminUrl);
  await admin.connect();
  const { rows } = await admin.query<{ server_version: string }>('SHOW server_version');
  const created: string[] = [];
  return {
    description,
    version: rows[0].server_version,
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
      await admin.end();
      await shutDown();
    },
  };
}
