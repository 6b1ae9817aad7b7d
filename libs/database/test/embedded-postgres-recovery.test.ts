import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { eventually } from '#test-support/eventually';
import { startEmbeddedPostgres, type EmbeddedDatabase } from '../src/embedded-postgres.js';
import { postgresAccount } from '../src/postgres-account.js';
import { postgresBinaries } from '../src/postgres-binaries.js';

const modeOf = async (path: string) => ((await stat(path)).mode & 0o7777).toString(8);

async function query<T extends pg.QueryResultRow>(url: string, sql: string): Promise<T[]> {
  const client = new pg.Client(url);
  await client.connect();
  try {
    return (await client.query<T>(sql)).rows;
  } finally {
    await client.end();
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('embedded PostgreSQL after a crash', () => {
  let dataDir: string;
  let clusterDir: string;
  let running: EmbeddedDatabase | undefined;
  const notices: string[] = [];
  const tmpModeBefore = (async () => modeOf('/tmp'))();

  beforeAll(async () => {
    dataDir = join(await mkdtemp(join(tmpdir(), 'embedded-recovery-')), 'data');
    clusterDir = join(dataDir, 'postgres');
    const first = await startEmbeddedPostgres({ dataDir, notice: (line) => notices.push(line) });
    await query(first.url, 'CREATE TABLE kept (note text); INSERT INTO kept VALUES ($$before the crash$$)'.replaceAll('$$', "'"));
    await first.stop();
  });

  afterEach(async () => {
    await running?.stop();
    running = undefined;
  });

  afterAll(async () => {
    await rm(join(dataDir, '..'), { recursive: true, force: true });
  });

  it('leaves /tmp as it was and only adds search bits under the new folder', async () => {
    expect(await modeOf('/tmp')).toBe(await tmpModeBefore);
    if (process.getuid?.() === 0) {
      expect(await modeOf(join(dataDir, '..'))).toBe('701');
      expect(notices.filter((line) => line.startsWith('added the search bit'))).toEqual([expect.stringContaining(`${join(dataDir, '..')} (0700 → 0701)`)]);
    }
  });

  it.each([
    ['its path', () => clusterDir],
    ['another path to it (a symlink)', () => join(dataDir, '..', 'alias', 'postgres')],
  ])('stops a server an earlier, killed run left running on the folder, named by %s, then serves the same data', async (_, servedPath) => {
    await symlink(dataDir, join(dataDir, '..', 'alias')).catch(() => undefined);
    const account = await postgresAccount(() => undefined);
    const port = await freePort();
    const orphan = { pid: await startOrphan([(await postgresBinaries()).postgres, '-D', servedPath(), '-p', String(port), '-k', '', '-c', 'listen_addresses=127.0.0.1'], account) };
    const orphanUrl = `postgres://ledger:ledger@127.0.0.1:${port}/ledger`;
    await eventually(() => query(orphanUrl, 'SELECT 1'), 20_000, 50);

    notices.length = 0;
    running = await startEmbeddedPostgres({ dataDir, notice: (line) => notices.push(line) });

    await eventually(() => expect(isAlive(orphan.pid!)).toBe(false), 2_000);
    expect(notices).toContainEqual(`a PostgreSQL server left running on ${clusterDir} by an earlier run (pid ${orphan.pid}) is being stopped`);
    expect(await query(running.url, 'SELECT note FROM kept')).toEqual([{ note: 'before the crash' }]);
  });

  it('refuses to start on a folder whose server has a live owner, and leaves that server serving', async () => {
    running = await startEmbeddedPostgres({ dataDir });
    const owner = running;
    await expect(startEmbeddedPostgres({ dataDir })).rejects.toThrow(
      new RegExp(`the embedded PostgreSQL on ${clusterDir} \\(pid \\d+\\) is in use by a running process \\(pid ${process.pid}: `),
    );
    expect(await query(owner.url, 'SELECT note FROM kept')).toEqual([{ note: 'before the crash' }]);
  });

  it('starts over a postmaster.pid whose pid is gone or belongs to another program, signalling no one', async () => {
    for (const pid of [2_147_483_000, process.pid]) {
      const lockFile = join(clusterDir, 'postmaster.pid');
      await writeFile(lockFile, `${pid}\n${clusterDir}\n1700000000\n5432\n\n127.0.0.1\n  1234567   7654321\nready   \n`);
      notices.length = 0;
      running = await startEmbeddedPostgres({ dataDir, notice: (line) => notices.push(line) });
      expect(notices).toEqual([expect.stringMatching(new RegExp(`^removing a stale .*postmaster\\.pid \\(pid ${pid} is`))]);
      expect((await readFile(lockFile, 'utf8')).split('\n')[0]).not.toBe(String(pid));
      expect(await query(running.url, 'SELECT note FROM kept')).toEqual([{ note: 'before the crash' }]);
      await running.stop();
      running = undefined;
    }
  });

  it("says why start-up failed in PostgreSQL's own words", async () => {
    const port = await freePort();
    const squatter: Server = createServer();
    await new Promise<void>((resolve) => squatter.listen(port, '127.0.0.1', resolve));
    try {
      await expect(startEmbeddedPostgres({ dataDir, port })).rejects.toThrow(
        /exited during start-up[\s\S]*its last log lines:[\s\S]*could not bind IPv4 address "127\.0\.0\.1": Address already in use/,
      );
    } finally {
      await new Promise((resolve) => squatter.close(resolve));
    }
    running = await startEmbeddedPostgres({ dataDir });
    expect(await query(running.url, 'SELECT count(*)::int AS n FROM kept')).toEqual([{ n: 1 }]);
  });
});

/** Starts `argv` the way a killed run leaves its server: a child of a shell that has exited, so handed to PID 1. */
async function startOrphan(argv: string[], account: { uid: number; gid: number } | null): Promise<number> {
  const shell = spawn('/bin/sh', ['-c', '"$@" >/dev/null 2>&1 </dev/null & echo $!', 'orphan-maker', ...argv], { stdio: ['ignore', 'pipe', 'ignore'], ...(account ?? {}) });
  let printed = '';
  shell.stdout.on('data', (chunk: Buffer) => (printed += chunk.toString()));
  await new Promise((resolve) => shell.once('close', resolve));
  return Number(printed.trim());
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}
