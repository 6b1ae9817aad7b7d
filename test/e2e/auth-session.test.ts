import pg from 'pg';
import { defaultAuthSettings } from '../../apps/ledger/src/auth/auth.config.js';
import type { RunningLedger } from '../../apps/ledger/src/ledger.js';
import { customer, inDays } from '../support/appointment-fixtures.js';
import { eventually } from '../support/eventually.js';
import { LedgerClient } from '../support/ledger-client.js';
import { ADMIN_TOKEN, AUDITOR_TOKEN, startTestLedger, TEST_ADMIN, TEST_AUDITOR } from '../support/ledger-for-tests.js';
import { SessionClient, sessionCookieOf } from '../support/session-client.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

/** The session cookie on the API: reads, changes with the CSRF token, roles, sign-out, idle expiry, the actor. */
let database: TestDatabase;
let ledger: RunningLedger;
let bearer: LedgerClient;
let db: pg.Client;

const IDLE_MS = 1_500;

beforeAll(async () => {
  database = await createTestDatabase('auth_session');
  ledger = await startTestLedger(database.url, { users: [TEST_ADMIN, TEST_AUDITOR], auth: { ...defaultAuthSettings, sessionIdleMs: IDLE_MS } });
  bearer = new LedgerClient(ledger.url, ADMIN_TOKEN);
  db = new pg.Client(database.url);
  await db.connect();
  await bearer.put('/staff/sam', { name: 'Sam', email: 'sam@salon.example', calcomUserId: 101 });
  await bearer.put('/services/cut', { name: 'Haircut', durationMinutes: 30, calcomEventTypeIds: { sam: 1001 } });
});

afterAll(async () => {
  await db?.end();
  await ledger?.close();
  await database?.drop();
});

const admin = () => SessionClient.signIn(ledger.url, TEST_ADMIN.email, TEST_ADMIN.password);
const auditor = () => SessionClient.signIn(ledger.url, TEST_AUDITOR.email, TEST_AUDITOR.password);

it('reads and, with the CSRF token, changes through the session; GET /auth/me names the person', async () => {
  const session = await admin();
  expect((await session.get('/auth/me')).body).toEqual({ user: session.user, csrfToken: session.csrfToken });
  expect((await session.get('/staff')).status).toBe(200);
  const saved = await session.put('/staff/kim', { name: 'Kim', email: 'kim@salon.example' });
  expect(saved.status).toBe(200);
  expect((await bearer.get('/staff')).body.items).toContainEqual(expect.objectContaining({ staffId: 'kim' }));
});

it('refuses a change with the cookie but no or a wrong CSRF token: 403 CSRF_TOKEN_INVALID, nothing stored', async () => {
  const session = await admin();
  const missing = await session.withoutCsrf().put('/staff/nocsrf', { name: 'No Token', email: 'no@salon.example' });
  const wrong = await session.withCsrf(`${session.csrfToken.slice(0, -2)}xx`).put('/staff/nocsrf', { name: 'No Token', email: 'no@salon.example' });
  const another = await session.withCsrf((await auditor()).csrfToken).put('/staff/nocsrf', { name: 'No Token', email: 'no@salon.example' });
  for (const response of [missing, wrong, another]) {
    expect(response.status).toBe(403);
    expect(response.body.error.code).toBe('CSRF_TOKEN_INVALID');
  }
  expect((await bearer.get('/staff')).body.items).not.toContainEqual(expect.objectContaining({ staffId: 'nocsrf' }));
  expect((await db.query(`SELECT 1 FROM events WHERE stream_name = 'staff-nocsrf'`)).rowCount).toBe(0);
});

it('lets an auditor’s session read but refuses its commands with 403 FORBIDDEN, nothing stored', async () => {
  const session = await auditor();
  expect(session.user.role).toBe('auditor');
  expect((await session.get('/appointments')).status).toBe(200);
  const refused = await session.post('/appointments', { serviceId: 'cut', staffId: 'sam', startsAt: inDays(4), customer, appointmentId: 'by-auditor' });
  expect(refused.status).toBe(403);
  expect(refused.body.error).toMatchObject({ code: 'FORBIDDEN', details: { role: 'auditor' } });
  expect((await bearer.get('/appointments/by-auditor')).status).toBe(404);
});

it('puts the signed-in person on the events a session causes, whatever X-Actor says', async () => {
  const session = await admin();
  const created = await session.post('/appointments', { serviceId: 'cut', staffId: 'sam', startsAt: inDays(5), customer }, { 'x-actor': 'Mallory' });
  expect(created.status).toBe(201);
  const { appointmentId, version } = created.body;
  const moved = await session.post(
    `/appointments/${appointmentId}/reschedule`,
    { startsAt: inDays(5, 14), reason: 'asked by phone' },
    { 'x-actor': 'Mallory', 'if-match': `"${version}"` },
  );
  expect(moved.status).toBe(200);
  const history = await bearer.get(`/appointments/${appointmentId}/history`);
  const own = history.body.events.filter((item: { streamName: string }) => item.streamName === `appointment-${appointmentId}`);
  expect(own.map((item: { type: string }) => item.type)).toEqual(['AppointmentScheduled', 'AppointmentRescheduled']);
  for (const item of own) expect(item.metadata).toMatchObject({ actor: TEST_ADMIN.name, actorId: session.user.id, tokenId: null, source: 'admin' });
  expect(JSON.stringify(history.body)).not.toContain('Mallory');
});

it('keeps bearer tokens as they were: no CSRF token needed, X-Actor honoured, auditor token still read-only', async () => {
  const saved = await bearer.put('/staff/lee', { name: 'Lee', email: 'lee@salon.example' }, { 'x-actor': 'Integration Bob' });
  expect(saved.status).toBe(200);
  const { rows } = await db.query(`SELECT metadata FROM events WHERE stream_name = 'staff-lee'`);
  expect(rows[0].metadata).toMatchObject({ actor: 'Integration Bob', tokenId: expect.stringMatching(/^[0-9a-f]{8}$/) });
  expect(rows[0].metadata.actorId).toBeUndefined();
  expect((await bearer.as(AUDITOR_TOKEN).put('/staff/lee', { name: 'Lee', email: 'lee@salon.example' })).status).toBe(403);
  expect((await bearer.as('not-a-token').get('/staff')).body.error.code).toBe('UNAUTHORIZED');
  expect((await new LedgerClient(ledger.url).get('/staff')).status).toBe(401);
});

it('makes no session for a bearer call without a cookie, but still signs in a request that also sends Authorization', async () => {
  const read = await bearer.get('/staff');
  expect(read.status).toBe(200);
  expect(read.headers.getSetCookie()).toEqual([]);
  // Express routes paths case-blind: the sign-in is reached (and must have its session) however it is spelled.
  for (const path of ['/auth/sign-in', '/AUTH/Sign-In']) {
    const signedIn = await new LedgerClient(ledger.url).post(path, { email: TEST_ADMIN.email, password: TEST_ADMIN.password }, { authorization: `Bearer ${ADMIN_TOKEN}` });
    expect(signedIn.status).toBe(200);
    const cookie = sessionCookieOf(signedIn);
    expect(cookie).not.toBeNull();
    const me = await new LedgerClient(ledger.url).get('/auth/me', { cookie: cookie! });
    expect(me.body.user).toMatchObject({ email: TEST_ADMIN.email });
  }
});

it('signs out: 204 with the CSRF token (403 without), then the cookie opens nothing and the sign-out is on the record', async () => {
  const session = await admin();
  expect((await session.withoutCsrf().post('/auth/sign-out')).status).toBe(403);
  expect((await session.get('/auth/me')).status).toBe(200);
  const out = await session.post('/auth/sign-out');
  expect(out.status).toBe(204);
  expect(out.headers.getSetCookie().join()).toMatch(/ledger_session=;.*Expires=Thu, 01 Jan 1970/);
  expect((await session.get('/auth/me')).status).toBe(401);
  const after = await session.get('/staff');
  expect(after.status).toBe(401);
  expect(after.body.error.code).toBe('UNAUTHORIZED');
  const { rows } = await db.query(`SELECT type FROM events WHERE stream_name = $1 ORDER BY global_position DESC LIMIT 1`, [`user-${session.user.id}`]);
  expect(rows[0].type).toBe('UserSignedOut');
});

it('ends a session that is not used for SESSION_IDLE_MINUTES', async () => {
  const session = await admin();
  expect((await session.get('/auth/me')).status).toBe(200);
  // Asking the API would keep the session alive; the store's expiry is what is waited for.
  await eventually(
    async () => {
      const { rows } = await db.query(`SELECT 1 FROM user_sessions WHERE sess->>'userId' = $1 AND expire > now()`, [session.user.id]);
      expect(rows).toHaveLength(0);
    },
    IDLE_MS + 5_000,
    100,
  );
  expect((await session.get('/auth/me')).status).toBe(401);
  expect((await session.get('/staff')).status).toBe(401);
});

it('ends the sessions of a disabled account at once', async () => {
  const email = 'temp@salon.test';
  await ledger.auth.accounts.add(
    { email, name: 'Tempo Rary', role: 'admin', password: 'temporary-password' },
    { actor: 'test', source: 'admin', correlationId: 'c', causationId: null },
  );
  const session = await SessionClient.signIn(ledger.url, email, 'temporary-password');
  expect((await session.get('/staff')).status).toBe(200);
  await ledger.auth.accounts.disable(email, { actor: 'test', source: 'admin', correlationId: 'c', causationId: null });
  expect((await session.get('/staff')).status).toBe(401);
  expect((await new LedgerClient(ledger.url).post('/auth/sign-in', { email, password: 'temporary-password' })).status).toBe(401);
});
