import { execFileSync } from 'node:child_process';
import { appendFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../apps/ledger/src/config.js';
import { startLedger } from '../../apps/ledger/src/ledger.js';
import { eventually } from '../support/eventually.js';
import { LedgerClient } from '../support/ledger-client.js';
import { descendantsOf, isRunning, postmasterPid } from '../support/process-tree.js';
import { BuiltLedger, freePort, type SpawnedLedger } from '../support/spawned-ledger.js';

const tmpMode = () => execFileSync('stat', ['-c', '%a', '/tmp'], { encoding: 'utf8' }).trim();

/** The default a new user gets: no DATABASE_URL, an embedded PostgreSQL under DATA_DIR that outlives restarts. */
describe('embedded default', () => {
  let dataDir: string;

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'ledger-embedded-'));
  });

  afterAll(async () => {
    await rm(dataDir, { recursive: true, force: true });
  });

  it('keeps appointments, catalog and tokens across a restart', async () => {
    const env = { DATA_DIR: dataDir, PORT: '0', HOST: '127.0.0.1' };
    const config = await loadConfig(env);
    expect(config.databaseUrl).toBeNull();
    const adminToken = config.apiTokens.find((t) => t.role === 'admin')!.token;

    const first = await startLedger(config, { logger: false });
    const before = new LedgerClient(first.url, adminToken);
    expect((await before.put('/staff/sam', { name: 'Sam', email: 'sam@salon.example' })).status).toBe(200);
    expect((await before.put('/services/cut', { name: 'Cut', durationMinutes: 30, calcomEventTypeIds: {} })).status).toBe(200);
    const created = await before.post('/appointments', {
      serviceId: 'cut',
      staffId: 'sam',
      startsAt: '2035-06-01T09:00:00Z',
      customer: { name: 'Ada', email: 'ada@example.com', timeZone: 'UTC' },
    });
    expect(created.status).toBe(201);
    await first.close();

    const again = await loadConfig(env);
    expect(again.apiTokens).toEqual(config.apiTokens);
    const second = await startLedger(again, { logger: false });
    try {
      const after = new LedgerClient(second.url, adminToken);
      const read = await after.get(`/appointments/${created.body.appointmentId}`);
      expect(read.status).toBe(200);
      expect(read.body).toMatchObject({ staffId: 'sam', startsAt: '2035-06-01T09:00:00.000Z', version: 1 });
      expect((await after.get('/appointments')).body.items).toHaveLength(1);
      expect((await after.get('/staff')).body.items).toEqual([expect.objectContaining({ staffId: 'sam' })]);
    } finally {
      await second.close();
    }
  });
});

/** The built app, as `npm start` runs it, killed with SIGKILL and started again on the same DATA_DIR. */
describe('the built app after kill -9', () => {
  const ADMIN = 'admin-token-for-kill-9';
  let build: BuiltLedger;
  let parent: string;
  let dataDir: string;
  let port: number;
  let ledger: SpawnedLedger | undefined;
  let tmpModeBefore: string;

  beforeAll(async () => {
    tmpModeBefore = tmpMode();
    [build, parent, port] = await Promise.all([BuiltLedger.build(), mkdtemp(join(tmpdir(), 'ledger-kill-9-')), freePort()]);
    dataDir = join(parent, 'data');
    // BuiltLedger.build() is a tsc of the whole project, ~15 s of CPU: 80 s at load 16 on 2 shared cores, no timer.
  }, 180_000);

  afterEach(async () => {
    await ledger?.stop();
    ledger = undefined;
  });

  afterAll(async () => {
    await build?.remove();
    if (parent) await rm(parent, { recursive: true, force: true });
  });

  const start = async () => {
    ledger = build.start({ DATA_DIR: dataDir, PORT: String(port), HOST: '127.0.0.1', API_TOKENS: `admin:${ADMIN}`, SANDBOX_PORT: '0' });
    await ledger.ready(30_000);
    return new LedgerClient(ledger.url, ADMIN);
  };

  async function bookOne(admin: LedgerClient, startsAt: string): Promise<string> {
    const created = await admin.post('/appointments', { serviceId: 'cut', staffId: 'sam', startsAt, customer: { name: 'Ada', email: 'ada@example.com', timeZone: 'UTC' } });
    expect(created.status).toBe(201);
    return created.body.appointmentId;
  }

  it('its PostgreSQL stops by itself, and the next start serves the data from before', async () => {
    const admin = await start();
    expect((await admin.put('/staff/sam', { name: 'Sam', email: 'sam@salon.example' })).status).toBe(200);
    expect((await admin.put('/services/cut', { name: 'Cut', durationMinutes: 30, calcomEventTypeIds: {} })).status).toBe(200);
    const booked = await bookOne(admin, '2035-06-01T09:00:00Z');
    const postmaster = postmasterPid(join(dataDir, 'postgres'))!;
    expect(isRunning(postmaster)).toBe(true);

    await ledger!.kill();
    await eventually(() => expect(isRunning(postmaster)).toBe(false), 15_000, 50);

    const again = await start();
    expect((await again.get(`/appointments/${booked}`)).body).toMatchObject({ appointmentId: booked, version: 1 });
    expect(tmpMode()).toBe(tmpModeBefore);
  });

  it('a PostgreSQL orphaned by an older run is stopped at the next start, which says so and serves', async () => {
    let admin = await start();
    const booked = await bookOne(admin, '2035-06-01T11:00:00Z');
    const postmaster = postmasterPid(join(dataDir, 'postgres'))!;
    // What versions without the guardian left behind: kill the guardian first, so the server is orphaned. Deepest
    // first: once the guardian shell dies, the ledger closes its end of the watcher subshell's pipe, and a watcher
    // still alive then does its job and stops the server (a preempted test lost that race under load).
    const guardian = descendantsOf(ledger!.child.pid!).filter(({ argv }) => argv[0] === '/bin/sh');
    for (const shell of guardian.reverse()) process.kill(shell.pid, 'SIGKILL');
    await ledger!.kill();
    expect({ running: isRunning(postmaster), recorded: postmasterPid(join(dataDir, 'postgres')) }).toEqual({ running: true, recorded: postmaster });

    admin = await start();
    expect(isRunning(postmaster)).toBe(false);
    expect(ledger!.log).toContain(`a PostgreSQL server left running on ${join(dataDir, 'postgres')} by an earlier run (pid ${postmaster}) is being stopped`);
    expect((await admin.get(`/appointments/${booked}`)).status).toBe(200);
    expect((await admin.get('/appointments')).body.items).toHaveLength(2);
  });

  it('a second start on the same DATA_DIR while the first runs exits 1 saying who holds it, and the first keeps serving', async () => {
    const admin = await start();
    const second = build.start({ DATA_DIR: dataDir, PORT: String(await freePort()), HOST: '127.0.0.1', API_TOKENS: `admin:${ADMIN}`, SANDBOX_PORT: '0' });
    try {
      await eventually(() => expect(second.child.exitCode).toBe(1), 30_000, 50);
      expect(second.log).toMatch(/is in use by a running process \(pid \d+: /);
    } finally {
      await second.stop();
    }
    expect((await admin.get('/health')).status).toBe(200);
    expect((await admin.get('/appointments')).body.items).toHaveLength(2);
  });

  it("a start that fails exits 1 and prints PostgreSQL's own reason", async () => {
    const settings = join(dataDir, 'postgres', 'postgresql.conf');
    const original = await readFile(settings, 'utf8');
    await appendFile(settings, "\nshared_buffers = 'a banana'\n");
    try {
      ledger = build.start({ DATA_DIR: dataDir, PORT: String(port), HOST: '127.0.0.1', API_TOKENS: `admin:${ADMIN}`, SANDBOX_PORT: '0' });
      await eventually(() => expect(ledger!.child.exitCode).toBe(1), 30_000, 50);
      expect(ledger.log).toContain('start-up failed: Error: the embedded PostgreSQL exited during start-up');
      expect(ledger.log).toContain('invalid value for parameter \\"shared_buffers\\": \\"a banana\\"');
      expect(ledger.log).not.toContain("reading 'stack'");
    } finally {
      await writeFile(settings, original);
    }
    const admin = await start();
    expect((await admin.get('/appointments')).body.items).toHaveLength(2);
  });
});
