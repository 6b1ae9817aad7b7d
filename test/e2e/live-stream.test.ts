import type { RunningLedger } from '../../apps/ledger/src/ledger.js';
import { defaultLiveSettings } from '../../apps/ledger/src/live/live-clients.js';
import { customer, inDays } from '../support/appointment-fixtures.js';
import { eventually } from '../support/eventually.js';
import { LedgerClient } from '../support/ledger-client.js';
import { ADMIN_TOKEN, AUDITOR_TOKEN, startTestLedger, TEST_ADMIN, TEST_AUDITOR } from '../support/ledger-for-tests.js';
import { LiveStream } from '../support/live-stream.js';
import { SessionClient } from '../support/session-client.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

/** GET /live: appointment changes pushed within about a second, to a cookie or a bearer token, bounded and closable. */
let database: TestDatabase;
let ledger: RunningLedger;
let bearer: LedgerClient;
const streams: LiveStream[] = [];

const HEARTBEAT_MS = 200;

beforeAll(async () => {
  database = await createTestDatabase('live');
  ledger = await startTestLedger(database.url, { users: [TEST_ADMIN, TEST_AUDITOR], live: { ...defaultLiveSettings, heartbeatMs: HEARTBEAT_MS } });
  bearer = new LedgerClient(ledger.url, ADMIN_TOKEN);
  await bearer.put('/staff/sam', { name: 'Sam', email: 'sam@salon.example', calcomUserId: 101 });
  await bearer.put('/services/cut', { name: 'Haircut', durationMinutes: 30, calcomEventTypeIds: { sam: 1001 } });
});

afterEach(() => {
  for (const stream of streams.splice(0)) stream.close();
});

afterAll(async () => {
  await ledger?.close();
  await database?.drop();
});

const open = async (url: string, headers: Record<string, string>) => {
  const stream = await LiveStream.open(url, headers);
  streams.push(stream);
  return stream;
};

it('refuses a stream without a session or token: 401 in the error shape', async () => {
  const stream = await open(ledger.url, {});
  expect(stream.status).toBe(401);
  expect(JSON.parse(stream.body!).error.code).toBe('UNAUTHORIZED');
});

it('pushes an appointment change to a signed-in auditor within about a second, once the read models show it', async () => {
  const session = await SessionClient.signIn(ledger.url, TEST_AUDITOR.email, TEST_AUDITOR.password);
  const stream = await open(ledger.url, { cookie: session.cookie });
  expect(stream.headers.get('content-type')).toMatch(/^text\/event-stream/);
  expect(stream.headers.get('cache-control')).toContain('no-cache');

  const changedAt = Date.now();
  const created = await bearer.post('/appointments', { serviceId: 'cut', staffId: 'sam', startsAt: inDays(3), customer });
  expect(created.status).toBe(201);
  const message = await stream.next((m) => m.event === 'appointment' && m.data.appointmentId === created.body.appointmentId, 3_000);
  expect(Date.now() - changedAt).toBeLessThan(2_500);
  expect(message.data).toEqual({
    appointmentId: created.body.appointmentId,
    version: created.body.version,
    status: 'scheduled',
    calcom: expect.objectContaining({ syncStatus: 'pending' }),
  });
  // What the stream said is what a refetch shows.
  expect((await session.get(`/appointments/${created.body.appointmentId}`)).body.version).toBe(message.data.version);
});

it('serves a bearer token too, and says each later version', async () => {
  const stream = await open(ledger.url, { authorization: `Bearer ${AUDITOR_TOKEN}` });
  const created = await bearer.post('/appointments', { serviceId: 'cut', staffId: 'sam', startsAt: inDays(4), customer });
  const moved = await bearer.post(`/appointments/${created.body.appointmentId}/reschedule`, { startsAt: inDays(4, 15) });
  expect(moved.status).toBe(200);
  const message = await stream.next((m) => m.event === 'appointment' && m.data.appointmentId === created.body.appointmentId && m.data.version === moved.body.version);
  expect(message.data.status).toBe('scheduled');
  await eventually(() => expect(stream.text).toContain(': heartbeat'), HEARTBEAT_MS * 10);
});

it('ends the stream when its session is signed out', async () => {
  const session = await SessionClient.signIn(ledger.url, TEST_ADMIN.email, TEST_ADMIN.password);
  const stream = await open(ledger.url, { cookie: session.cookie });
  expect((await session.post('/auth/sign-out')).status).toBe(204);
  await eventually(() => expect(stream.ended).toBe(true), HEARTBEAT_MS * 20);
});

describe('a second instance on the same database', () => {
  let second: RunningLedger;

  beforeAll(async () => {
    second = await startTestLedger(database.url, { live: { ...defaultLiveSettings, maxStreams: 1, heartbeatMs: HEARTBEAT_MS } });
  });

  afterAll(async () => {
    await second?.close();
  });

  it('hears a change made through the first, and refuses streams past LIVE_MAX_STREAMS with 503 and Retry-After', async () => {
    const stream = await open(second.url, { authorization: `Bearer ${AUDITOR_TOKEN}` });
    const refused = await open(second.url, { authorization: `Bearer ${AUDITOR_TOKEN}` });
    expect(refused.status).toBe(503);
    expect(refused.headers.get('retry-after')).toBe('5');
    expect(JSON.parse(refused.body!).error.code).toBe('LIVE_STREAMS_EXHAUSTED');

    const created = await bearer.post('/appointments', { serviceId: 'cut', staffId: 'sam', startsAt: inDays(5), customer });
    await stream.next((m) => m.event === 'appointment' && m.data.appointmentId === created.body.appointmentId);
  });

  it('ends its open streams when it shuts down, so closing does not hang', async () => {
    await eventually(async () => {
      const stream = await LiveStream.open(second.url, { authorization: `Bearer ${AUDITOR_TOKEN}` });
      streams.push(stream);
      expect(stream.status).toBe(200);
    });
    const stream = streams.at(-1)!;
    await second.close();
    await eventually(() => expect(stream.ended).toBe(true), 2_000);
  });
});
