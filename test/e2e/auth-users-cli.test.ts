import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { defaultAuthSettings } from '../../apps/ledger/src/auth/auth.config.js';
import { runUsersCli } from '../../apps/ledger/src/auth/users-cli.js';
import type { RunningLedger } from '../../apps/ledger/src/ledger.js';
import { LedgerClient } from '../support/ledger-client.js';
import { startTestLedger } from '../support/ledger-for-tests.js';
import { SessionClient } from '../support/session-client.js';
import { BuiltLedger, freePort, type SpawnedLedger } from '../support/spawned-ledger.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

/** `npm run users -- add|reset-password|disable` as an operator runs it (the built CLI, spawned), and the first admin. */
let database: TestDatabase;
let build: BuiltLedger;
let ledger: RunningLedger;
let db: pg.Client;

beforeAll(async () => {
  [database, build] = await Promise.all([createTestDatabase('users_cli'), BuiltLedger.build()]);
  ledger = await startTestLedger(database.url);
  db = new pg.Client(database.url);
  await db.connect();
}, 120_000);

afterAll(async () => {
  await db?.end();
  await ledger?.close();
  await database?.drop();
  await build?.remove();
});

function users(args: string[], stdin?: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [join(build.outDir, 'apps/ledger/src/auth/users.main.js'), ...args], {
    env: { PATH: process.env.PATH ?? '', DATABASE_URL: database.url },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  child.stdin.end(stdin ?? '');
  return new Promise((resolve) => child.once('exit', (code) => resolve({ code, stdout, stderr })));
}

const signIn = (email: string, password: string) => new LedgerClient(ledger.url).post('/auth/sign-in', { email, password });

it('adds an account with a generated password, printed once, that signs in with its role', async () => {
  const added = await users(['add', 'Ada@Salon.test', '--name', 'Ada Lovelace', '--role', 'auditor']);
  expect(added).toMatchObject({ code: 0, stderr: '' });
  const password = /password \(shown only now\): (\S+)/.exec(added.stdout)?.[1];
  expect(password).toMatch(/^[\w-]{20,}$/);
  const response = await signIn('ada@salon.test', password!);
  expect(response.status).toBe(200);
  expect(response.body.user).toMatchObject({ email: 'ada@salon.test', name: 'Ada Lovelace', role: 'auditor' });

  const again = await users(['add', 'ada@salon.test', '--name', 'Someone Else']);
  expect(again.code).toBe(2);
  expect(again.stderr).toContain('exists already');
});

it('resets a password from stdin: the old one stops working, the account’s sessions end, the change is on the record', async () => {
  expect((await users(['add', 'bea@salon.test', '--name', 'Bea', '--password-stdin'], 'first-password-123\n')).code).toBe(0);
  const session = await SessionClient.signIn(ledger.url, 'bea@salon.test', 'first-password-123');
  const reset = await users(['reset-password', 'bea@salon.test', '--password-stdin'], 'second-password-456\n');
  expect(reset).toMatchObject({ code: 0, stderr: '' });
  expect(reset.stdout).not.toContain('second-password-456');
  expect((await signIn('bea@salon.test', 'first-password-123')).status).toBe(401);
  expect((await signIn('bea@salon.test', 'second-password-456')).status).toBe(200);
  expect((await session.get('/auth/me')).status).toBe(401);

  const { rows } = await db.query(
    `SELECT e.type, e.metadata FROM events e JOIN user_accounts a ON e.stream_name = 'user-' || a.id WHERE a.email = 'bea@salon.test' ORDER BY e.global_position`,
  );
  expect(rows.map((row) => row.type)).toEqual(['UserAdded', 'UserSignedIn', 'UserPasswordReset', 'UserSignInFailed', 'UserSignedIn']);
  expect(rows[2].metadata.actor).toMatch(/^users CLI \(.+\)$/);
  const leaked = await db.query(`SELECT 1 FROM events WHERE data::text ~ '(first|second)-password|argon2id'`);
  expect(leaked.rowCount).toBe(0);
});

it('disables an account: no more sign-ins, its sessions end at once', async () => {
  expect((await users(['add', 'cy@salon.test', '--name', 'Cy', '--role', 'admin', '--password-stdin'], 'cy-password-123456')).code).toBe(0);
  const session = await SessionClient.signIn(ledger.url, 'cy@salon.test', 'cy-password-123456');
  const disabled = await users(['disable', 'cy@salon.test']);
  expect(disabled).toMatchObject({ code: 0, stderr: '' });
  expect((await session.get('/staff')).status).toBe(401);
  const refused = await signIn('cy@salon.test', 'cy-password-123456');
  expect(refused.status).toBe(401);
  expect(refused.body.error.code).toBe('INVALID_CREDENTIALS');
});

/** Refusals come before the database is opened: run in-process, they say the same as spawned, without the start-up. */
async function usersInProcess(args: string[], stdin = '') {
  const stdout: string[] = [];
  const stderr: string[] = [];
  const code = await runUsersCli({ DATABASE_URL: database.url }, args, { log: (text) => stdout.push(text), error: (text) => stderr.push(text) }, async () => stdin);
  return { code, stdout: stdout.join('\n'), stderr: stderr.join('\n') };
}

it.each([
  [['remove', 'x@salon.test'], 'Unknown command'],
  [['add', 'not-an-email', '--name', 'X'], 'must be an email address'],
  [['add', 'x@salon.test'], '--name must be a string'],
  [['add', 'x@salon.test', '--name', 'X', '--role', 'owner'], '--role must be admin or auditor'],
  [['add', 'x@salon.test', '--name', 'X', '--shell'], 'Unknown or incomplete option'],
  [['disable', 'nobody@salon.test'], 'No account has the email nobody@salon.test'],
])('refuses %j with exit code 2 and says why', async (args, why) => {
  const result = await usersInProcess(args);
  expect(result.code).toBe(2);
  expect(result.stderr).toContain(why);
  expect((await db.query(`SELECT 1 FROM user_accounts WHERE email = 'x@salon.test'`)).rowCount).toBe(0);
});

it('refuses a password from stdin that is too short or holds a NUL', async () => {
  for (const password of ['short', 'long-enough-but-\u0000-nul']) {
    const result = await usersInProcess(['add', 'x@salon.test', '--name', 'X', '--password-stdin'], password);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/The password must/);
  }
});

it('takes the first admin from ADMIN_EMAIL / ADMIN_PASSWORD, once, keeping a password changed later', async () => {
  const fresh = await createTestDatabase('first_admin_env');
  const settings = { ...defaultAuthSettings, firstAdmin: { email: 'boss@salon.test', password: 'boss-password-123' } };
  try {
    const first = await startTestLedger(fresh.url, { auth: settings });
    expect((await new LedgerClient(first.url).post('/auth/sign-in', { email: 'boss@salon.test', password: 'boss-password-123' })).body.user.role).toBe('admin');
    await first.auth.accounts.resetPassword('boss@salon.test', 'changed-password-456', { actor: 'test', source: 'admin', correlationId: 'c', causationId: null });
    await first.close();
    const second = await startTestLedger(fresh.url, { auth: settings });
    expect((await new LedgerClient(second.url).post('/auth/sign-in', { email: 'boss@salon.test', password: 'changed-password-456' })).status).toBe(200);
    await second.close();
  } finally {
    await fresh.drop();
  }
});

it('without ADMIN_EMAIL, prints a generated admin on the first start only', async () => {
  const fresh = await createTestDatabase('first_admin_generated');
  const dataDir = await mkdtemp(join(tmpdir(), 'ledger-first-admin-'));
  const env = async () => ({
    DATABASE_URL: fresh.url,
    PORT: String(await freePort()),
    HOST: '127.0.0.1',
    DATA_DIR: dataDir,
    API_TOKENS: 'admin:first-admin-test-token',
    CALCOM_API_KEY: 'cal_unused',
    CALCOM_API_URL: 'http://127.0.0.1:9',
    DRIFT_INTERVAL: '0',
  });
  const started: SpawnedLedger[] = [];
  try {
    const first = build.start(await env());
    started.push(first);
    await first.ready();
    const printed = /admin sign-in: (\S+) ([\w-]+)/.exec(first.log);
    expect(printed?.[1]).toBe('admin@ledger.local');
    expect((await new LedgerClient(first.url).post('/auth/sign-in', { email: printed![1], password: printed![2] })).status).toBe(200);
    await first.stop();

    const second = build.start(await env());
    started.push(second);
    await second.ready();
    expect(second.log).not.toContain('admin sign-in:');
    expect(second.log).not.toContain(printed![2]);
  } finally {
    for (const spawned of started) await spawned.stop();
    await fresh.drop();
    await rm(dataDir, { recursive: true, force: true });
  }
});
