import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { defaultAuthSettings } from '../../apps/ledger/src/auth/auth.config.js';
import type { RunningLedger } from '../../apps/ledger/src/ledger.js';
import { eventually } from '../support/eventually.js';
import { LedgerClient } from '../support/ledger-client.js';
import { startTestLedger, TEST_ADMIN, TEST_AUDITOR } from '../support/ledger-for-tests.js';
import { SessionClient, sessionCookieOf } from '../support/session-client.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

/** POST /auth/sign-in: the right answers, the record, the throttle, and hostile bodies refused before any check. */
let database: TestDatabase;
let ledger: RunningLedger;
let anonymous: LedgerClient;
let db: pg.Client;

const LOCK_MS = 2_000;

beforeAll(async () => {
  database = await createTestDatabase('auth_sign_in');
  ledger = await startTestLedger(database.url, {
    users: [TEST_ADMIN, TEST_AUDITOR],
    // The test's requests come from loopback: trusted, so each test can speak for its own client address.
    auth: { ...defaultAuthSettings, maxFailuresPerEmail: 3, maxFailuresPerIp: 6, lockMs: LOCK_MS, trustProxy: 'loopback' },
  });
  anonymous = new LedgerClient(ledger.url);
  db = new pg.Client(database.url);
  await db.connect();
});

afterAll(async () => {
  await db?.end();
  await ledger?.close();
  await database?.drop();
});

/** A client address of its own per test, so one test's failures do not lock another's. */
let addresses = 0;
const from = () => ({ 'x-forwarded-for': `203.0.113.${++addresses}` });

const signIn = (email: string, password: string, headers: Record<string, string> = from()) => anonymous.post('/auth/sign-in', { email, password }, headers);

async function eventsOf(streamPrefix: string) {
  const { rows } = await db.query<{ stream_name: string; type: string; data: any; metadata: any }>(
    'SELECT stream_name, type, data, metadata FROM events WHERE stream_name LIKE $1 ORDER BY global_position',
    [`${streamPrefix}%`],
  );
  return rows;
}

it('signs in with the right password: the person, a CSRF token and an HttpOnly SameSite=Lax cookie, not Secure over plain HTTP', async () => {
  const response = await signIn(TEST_ADMIN.email.toUpperCase(), TEST_ADMIN.password);
  expect(response.status).toBe(200);
  expect(response.body).toEqual({
    user: { id: expect.stringMatching(/^[0-9a-f-]{36}$/), email: TEST_ADMIN.email, name: TEST_ADMIN.name, role: 'admin' },
    csrfToken: expect.stringMatching(/^[\w-]{40,}$/),
  });
  const setCookie = response.headers.getSetCookie().find((cookie) => cookie.startsWith('ledger_session='))!;
  expect(setCookie).toMatch(/; Path=\//);
  expect(setCookie).toMatch(/; HttpOnly/);
  expect(setCookie).toMatch(/; SameSite=Lax/);
  expect(setCookie).not.toMatch(/; Secure/);
  expect(setCookie).toMatch(/; Expires=/);

  const signedIn = await eventsOf(`user-${response.body.user.id}`);
  expect(signedIn.map((event) => event.type)).toEqual(['UserAdded', 'UserSignedIn']);
  expect(signedIn[1].metadata).toMatchObject({ actor: TEST_ADMIN.name, actorId: response.body.user.id, source: 'admin' });
});

it('marks the cookie Secure when a trusted proxy says the request came over TLS', async () => {
  const response = await signIn(TEST_AUDITOR.email, TEST_AUDITOR.password, { ...from(), 'x-forwarded-proto': 'https' });
  expect(response.status).toBe(200);
  expect(response.headers.getSetCookie().find((cookie) => cookie.startsWith('ledger_session='))).toMatch(/; Secure/);
});

it('answers a wrong password and an unknown email alike, 401 INVALID_CREDENTIALS, and records both without the password', async () => {
  const wrong = await signIn(TEST_AUDITOR.email, 'not-the-password-1');
  const unknown = await signIn(`nobody-${randomUUID()}@salon.test`, 'not-the-password-2');
  for (const response of [wrong, unknown]) {
    expect(response.status).toBe(401);
    expect(response.body).toEqual({ error: { code: 'INVALID_CREDENTIALS', message: 'The email or the password is wrong', details: {} } });
    expect(sessionCookieOf(response)).toBeNull();
  }
  const auditorEvents = await eventsOf('user-');
  expect(auditorEvents).toContainEqual(expect.objectContaining({ type: 'UserSignInFailed', data: expect.objectContaining({ reason: 'wrong-password' }) }));
  const unknownEvents = await eventsOf('sign-ins-unknown-account');
  expect(unknownEvents).toContainEqual(
    expect.objectContaining({ type: 'UnknownAccountSignInFailed', data: expect.objectContaining({ email: expect.stringMatching(/^nobody-/) }) }),
  );
  const { rows } = await db.query<{ found: number }>(
    `SELECT count(*)::int AS found FROM events WHERE data::text LIKE '%not-the-password%' OR metadata::text LIKE '%not-the-password%' OR data::text LIKE '%$argon2id$%'`,
  );
  expect(rows[0].found).toBe(0);
});

it('keeps every unknown email in one stream, however many are tried', async () => {
  const before = await db.query<{ streams: number }>(`SELECT count(DISTINCT stream_name)::int AS streams FROM events`);
  for (let i = 0; i < 4; i++) expect((await signIn(`stranger-${i}-${randomUUID()}@salon.test`, 'guess-password', from())).status).toBe(401);
  const after = await db.query<{ streams: number }>(`SELECT count(DISTINCT stream_name)::int AS streams FROM events`);
  expect(after.rows[0].streams - before.rows[0].streams).toBeLessThanOrEqual(1);
  expect((await db.query(`SELECT 1 FROM events WHERE stream_name = 'sign-ins-unknown-account'`)).rowCount).toBeGreaterThanOrEqual(4);
});

it('locks an email after 3 failures (429 SIGN_IN_LOCKED with Retry-After, even with the right password) and unlocks after the window', async () => {
  const email = `locked-${randomUUID().slice(0, 8)}@salon.test`;
  await ledger.auth.accounts.add(
    { email, name: 'Lou Locked', role: 'auditor', password: 'the-right-password' },
    { actor: 'test', source: 'admin', correlationId: 'c', causationId: null },
  );
  for (let i = 0; i < 3; i++) expect((await signIn(email, `wrong-${i}-password`)).status).toBe(401);
  const locked = await signIn(email, 'the-right-password');
  expect(locked.status).toBe(429);
  expect(locked.body.error).toMatchObject({ code: 'SIGN_IN_LOCKED', details: { retryAfterSeconds: expect.any(Number) } });
  expect(Number(locked.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
  expect(Number(locked.headers.get('retry-after'))).toBeLessThanOrEqual(Math.ceil(LOCK_MS / 1000));
  expect(sessionCookieOf(locked)).toBeNull();
  const [account] = (await db.query('SELECT id FROM user_accounts WHERE email = $1', [email])).rows;
  expect((await eventsOf(`user-${account.id}`)).map((event) => event.type)).toEqual(['UserAdded', 'UserSignInFailed', 'UserSignInFailed', 'UserSignInFailed', 'UserSignInLocked']);

  // Waits for the lock to end (the condition is the answer itself), then the right password works again.
  const unlocked = await eventually(
    async () => {
      const response = await signIn(email, 'the-right-password');
      expect(response.status).toBe(200);
      return response;
    },
    LOCK_MS + 5_000,
    200,
  );
  expect(unlocked.body.user.email).toBe(email);
});

it('locks a client address that keeps failing across many emails, without touching other addresses', async () => {
  const address = { 'x-forwarded-for': '198.51.100.77' };
  for (let i = 0; i < 6; i++) expect((await signIn(`spray-${i}@salon.test`, 'guess-password', address)).status).toBe(401);
  const locked = await signIn(TEST_ADMIN.email, TEST_ADMIN.password, address);
  expect(locked.status).toBe(429);
  expect(locked.body.error.code).toBe('SIGN_IN_LOCKED');
  expect((await signIn(TEST_ADMIN.email, TEST_ADMIN.password, { 'x-forwarded-for': '198.51.100.78' })).status).toBe(200);
});

describe('hostile bodies are 4xx before any password is checked, and never count as a failure', () => {
  const cases: [string, string, number][] = [
    ['NUL in the email', JSON.stringify({ email: 'owner\u0000@salon.test', password: 'x' }), 400],
    ['NUL in the password', JSON.stringify({ email: TEST_ADMIN.email, password: 'pass\u0000word' }), 400],
    ['a lone surrogate in the password', `{"email":"${TEST_ADMIN.email}","password":"pass\\ud800word"}`, 400],
    ['a huge password', JSON.stringify({ email: TEST_ADMIN.email, password: 'p'.repeat(100_000) }), 400],
    ['a body over 256 KiB', JSON.stringify({ email: TEST_ADMIN.email, password: 'p'.repeat(300_000) }), 413],
    ['__proto__', `{"email":"${TEST_ADMIN.email}","password":"x","__proto__":{"role":"admin"}}`, 400],
    ['deep nesting', `{"email":"${TEST_ADMIN.email}","password":${'['.repeat(5000)}${']'.repeat(5000)}}`, 400],
    ['a password that is not a string', JSON.stringify({ email: TEST_ADMIN.email, password: ['x'] }), 400],
    ['an unknown field', JSON.stringify({ email: TEST_ADMIN.email, password: 'x', role: 'admin' }), 400],
    ['no email', JSON.stringify({ password: 'x' }), 400],
    ['an array', '[1,2]', 400],
    ['broken JSON', '{"email":', 400],
  ];
  it.each(cases)('%s', async (_what, body, status) => {
    const address = from();
    const response = await anonymous.request<any>('POST', '/auth/sign-in', body, address);
    expect(response.status).toBe(status);
    expect(response.body.error).toEqual({ code: expect.any(String), message: expect.any(String), details: expect.any(Object) });
    expect((await db.query(`SELECT 1 FROM sign_in_throttle WHERE key = $1`, [`address:${address['x-forwarded-for']}`])).rowCount).toBe(0);
  });

  it('a form-encoded sign-in (a cross-site form could send one) is 415', async () => {
    const response = await anonymous.request('POST', '/auth/sign-in', `email=${TEST_ADMIN.email}&password=${TEST_ADMIN.password}`, {
      'content-type': 'application/x-www-form-urlencoded',
    });
    expect(response.status).toBe(415);
    expect(sessionCookieOf(response)).toBeNull();
  });
});

it('signs in again after a session: a new session id each time (no fixation)', async () => {
  const first = await SessionClient.signIn(ledger.url, TEST_ADMIN.email, TEST_ADMIN.password, from());
  expect((await first.get('/auth/me')).status).toBe(200);
  const again = await anonymous.post('/auth/sign-in', { email: TEST_ADMIN.email, password: TEST_ADMIN.password }, { ...from(), cookie: first.cookie });
  expect(again.status).toBe(200);
  expect(sessionCookieOf(again)).not.toBe(first.cookie);
  expect((await first.get('/auth/me')).status).toBe(401);
});
