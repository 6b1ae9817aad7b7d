import { randomUUID } from 'node:crypto';
import { startSandbox, type RunningSandbox } from '#calcom-sandbox';
import type { RunningLedger } from '../../apps/ledger/src/ledger.js';
import { CalcomAnsweringProxy } from '../support/calcom-answering-proxy.js';
import { calcomSettingsFor, LEDGER_SERVICES, LEDGER_STAFF, SYNC_TEST_CATALOG, WEBHOOK_SECRET } from '../support/calcom-sync-harness.js';
import { eventually } from '../support/eventually.js';
import { LedgerClient } from '../support/ledger-client.js';
import { ADMIN_TOKEN, startTestLedger } from '../support/ledger-for-tests.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

/**
 * Before accepting a time the ledger asks Cal.com's `GET /v2/slots` (the sandbox, behind a counting proxy): Hugo works
 * 09:00–17:00 Paris time every day, Olivia around the clock.
 */
let database: TestDatabase;
let sandbox: RunningSandbox;
let proxy: CalcomAnsweringProxy;
let ledger: RunningLedger;
let admin: LedgerClient;
let day = 20;

const HUGO_HOURS = [{ days: ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'], startTime: '09:00', endTime: '17:00' }];

/** A fresh day for each test (so cached slots of one test never answer another), at that UTC hour. */
const onFreshDay = (hour: number, minute = 0): string => {
  const date = new Date();
  date.setUTCDate(date.getUTCDate() + day++);
  date.setUTCHours(hour, minute, 0, 0);
  return date.toISOString();
};

/** Long enough for a loaded CI machine's sandbox, far shorter than the client's own 10 s timeout. */
const SLOT_CHECK_TIMEOUT_MS = 3_000;

beforeAll(async () => {
  database = await createTestDatabase('calcom_slot_check');
  const catalog = { ...SYNC_TEST_CATALOG, users: SYNC_TEST_CATALOG.users.map((user) => (user.id === 2 ? { ...user, workingHours: HUGO_HOURS } : user)) };
  sandbox = await startSandbox({ port: 0, catalog: catalog as never, webhookSecret: WEBHOOK_SECRET });
  proxy = await CalcomAnsweringProxy.start(sandbox.url);
  ledger = await startTestLedger(database.url, {
    calcom: { ...calcomSettingsFor(sandbox), apiUrl: proxy.url, slotCheckTimeoutMs: SLOT_CHECK_TIMEOUT_MS },
    calcomWebhookSecret: WEBHOOK_SECRET,
  } as never);
  sandbox.setWebhookUrl(`${ledger.url}/webhooks/calcom`);
  admin = new LedgerClient(ledger.url, ADMIN_TOKEN);
  for (const { id, body } of LEDGER_STAFF) expect((await admin.put(`/staff/${id}`, body)).status).toBe(200);
  for (const { id, body } of LEDGER_SERVICES) expect((await admin.put(`/services/${id}`, body)).status).toBe(200);
});

afterEach(async () => {
  proxy.rules.length = 0;
  await fetch(`${sandbox.url}/_sandbox/busy`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: '[]' });
});

let proxyClosed = false;

afterAll(async () => {
  await ledger?.close();
  if (!proxyClosed) await proxy?.close();
  await sandbox?.close();
  await database?.drop();
});

const slotCalls = () => proxy.count('GET', '/v2/slots');

function schedule(staffId: string, startsAt: string, extra: Record<string, unknown> = {}) {
  const appointmentId = randomUUID();
  const customer = { name: 'Ada Lovelace', email: `ada-${appointmentId.slice(0, 8)}@example.com`, timeZone: 'Europe/London' };
  return admin.post('/appointments', { appointmentId, serviceId: 'consult', staffId, startsAt, customer, ...extra }).then((response) => ({ ...response, appointmentId }));
}

async function history(appointmentId: string) {
  const { status, body } = await admin.get(`/appointments/${appointmentId}/history`);
  expect(status).toBe(200);
  return body.events as Array<{ streamName: string; type: string; metadata: Record<string, any> }>;
}

test("outside the host's working hours: 409 CALCOM_SLOT_UNAVAILABLE with what Cal.com said, nothing stored", async () => {
  const { status, body, appointmentId } = await schedule('hugo', onFreshDay(22));
  expect(status).toBe(409);
  expect(body.error.code).toBe('CALCOM_SLOT_UNAVAILABLE');
  expect(body.error.details).toMatchObject({ eventTypeId: 201, hostUserId: 2 });
  expect(body.error.details.calcomSaid).toMatch(/free starts that day/);
  expect((await admin.get(`/appointments/${appointmentId}`)).status).toBe(404);
});

test('inside the working hours the create is accepted and the history says Cal.com had the slot', async () => {
  const { status, appointmentId } = await schedule('hugo', onFreshDay(10));
  expect(status).toBe(201);
  const [scheduled] = await history(appointmentId);
  expect(scheduled!.metadata.calcomSlotCheck).toEqual({ outcome: 'available', eventTypeId: 201 });
});

test('an appointment that crosses midnight UTC is checked against both days it touches', async () => {
  const { status, appointmentId, body } = await schedule('olivia', onFreshDay(23, 45));
  expect({ status, body }).toMatchObject({ status: 201 });
  const [scheduled] = await history(appointmentId);
  expect(scheduled!.metadata.calcomSlotCheck).toEqual({ outcome: 'available', eventTypeId: 101 });
});

test('a reschedule onto a busy block: 409, the appointment keeps its time and version', async () => {
  const startsAt = onFreshDay(10);
  const { status, appointmentId } = await schedule('olivia', startsAt);
  expect(status).toBe(201);
  const busyAt = new Date(Date.parse(startsAt) + 4 * 3_600_000);
  const blocked = await fetch(`${sandbox.url}/_sandbox/busy`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify([{ userId: 1, start: busyAt.toISOString(), end: new Date(busyAt.getTime() + 3_600_000).toISOString() }]),
  });
  expect(blocked.ok).toBe(true);
  const before = await admin.get(`/appointments/${appointmentId}`);
  const moved = await admin.post(`/appointments/${appointmentId}/reschedule`, { startsAt: busyAt.toISOString() });
  expect(moved.status).toBe(409);
  expect(moved.body.error.code).toBe('CALCOM_SLOT_UNAVAILABLE');
  const after = await admin.get(`/appointments/${appointmentId}`);
  expect(after.body.version).toBe(before.body.version);
  expect(Date.parse(after.body.startsAt)).toBe(Date.parse(startsAt));
});

test("a reschedule by half an hour is not blocked by the booking's own time (bookingUidToReschedule)", async () => {
  // An hour-long assessment moved by 30 minutes overlaps its own booking on Cal.com: only bookingUidToReschedule frees it.
  const startsAt = onFreshDay(10);
  const { status, appointmentId } = await schedule('olivia', startsAt, { serviceId: 'assessment' });
  expect(status).toBe(201);
  await eventually(async () => expect((await admin.get(`/appointments/${appointmentId}`)).body.calcom).toMatchObject({ syncStatus: 'synced' }), 10_000);
  const moved = await admin.post(`/appointments/${appointmentId}/reschedule`, { startsAt: new Date(Date.parse(startsAt) + 30 * 60_000).toISOString() });
  expect(moved.status).toBe(200);
  const [, rescheduled] = (await history(appointmentId)).filter((event) => event.streamName.startsWith('appointment-'));
  expect(rescheduled!.metadata.calcomSlotCheck).toEqual({ outcome: 'available', eventTypeId: 102 });
});

test("a client's retry of a synced create is still the same appointment, not refused by its own booking", async () => {
  const startsAt = onFreshDay(10);
  const appointmentId = randomUUID();
  const body = { appointmentId, serviceId: 'consult', staffId: 'olivia', startsAt, customer: { name: 'Ada', email: 'ada-retry@example.com', timeZone: 'Europe/London' } };
  expect((await admin.post('/appointments', body)).status).toBe(201);
  await eventually(async () => expect((await admin.get(`/appointments/${appointmentId}`)).body.calcom).toMatchObject({ syncStatus: 'synced' }), 10_000);
  const again = await admin.post('/appointments', body);
  expect(again.status).toBeLessThan(300);
});

test("force: true stores it without asking; Cal.com refuses the create and the sync ends failed with Cal.com's reason", async () => {
  const calls = slotCalls();
  const { status, appointmentId } = await schedule('hugo', onFreshDay(22), { force: true });
  expect(status).toBe(201);
  expect(slotCalls()).toBe(calls);
  const [scheduled] = await history(appointmentId);
  expect(scheduled!.metadata.calcomSlotCheck).toEqual({ outcome: 'forced', eventTypeId: 201 });
  const appointment = await eventually(async () => {
    const { body } = await admin.get(`/appointments/${appointmentId}`);
    expect(body.calcom.syncStatus).toBe('failed');
    return body;
  }, 20_000);
  expect(JSON.stringify(appointment.calcom.lastError)).toMatch(/not available/);
});

test('a start in the past is the 400 it always was, not a missing slot', async () => {
  const { status, body } = await schedule('hugo', new Date(Date.now() - 86_400_000).toISOString());
  expect(status).toBe(400);
  expect(body.error.code).toBe('VALIDATION_FAILED');
});

test('force must be a boolean', async () => {
  const { status, body } = await schedule('olivia', onFreshDay(10), { force: 'yes' });
  expect(status).toBe(400);
  expect(body.error.code).toBe('VALIDATION_FAILED');
});

test('Cal.com unreachable (5xx on /v2/slots): the command goes ahead and the history says the check was skipped', async () => {
  proxy.rules.push({ method: 'GET', path: /^\/v2\/slots$/, status: 503, body: { status: 'error', error: { code: 'ServiceUnavailable', message: 'down for maintenance' } } });
  const { status, appointmentId } = await schedule('hugo', onFreshDay(22));
  expect(status).toBe(201);
  const [scheduled] = await history(appointmentId);
  expect(scheduled!.metadata.calcomSlotCheck).toMatchObject({ outcome: 'skipped', eventTypeId: 201 });
  expect(scheduled!.metadata.calcomSlotCheck.reason).toMatch(/503/);
});

test("Cal.com hanging on /v2/slots: the command goes ahead after the slot check timeout, not the client's 10 s", async () => {
  proxy.rules.push({ method: 'GET', path: /^\/v2\/slots$/, status: 200, body: null, hang: true });
  const sentAt = performance.now();
  const { status, appointmentId } = await schedule('hugo', onFreshDay(10));
  const tookMs = performance.now() - sentAt;
  expect(status).toBe(201);
  expect(tookMs).toBeGreaterThanOrEqual(SLOT_CHECK_TIMEOUT_MS - 50);
  expect(tookMs).toBeLessThan(9_000);
  const [scheduled] = await history(appointmentId);
  expect(scheduled!.metadata.calcomSlotCheck).toMatchObject({ outcome: 'skipped', eventTypeId: 201 });
  expect(scheduled!.metadata.calcomSlotCheck.reason).toMatch(/CALCOM_TIMEOUT|timed out|timeout/i);
});

test('only the hours around the appointment are asked for, not its whole day', async () => {
  const startsAt = onFreshDay(10, 15);
  const before = proxy.queries('GET', '/v2/slots').length;
  expect((await schedule('hugo', startsAt)).status).toBe(201);
  const asked = proxy.queries('GET', '/v2/slots').slice(before);
  expect(asked).toHaveLength(1);
  const hour = startsAt.slice(0, 13);
  expect({ start: asked[0]!.get('start'), end: asked[0]!.get('end') }).toEqual({ start: `${hour}:00:00.000Z`, end: `${hour.slice(0, 11)}11:00:00.000Z` });
});

test('slot answers are cached: a refused check asks its hours and, for the words of the 409, its day; a repeat asks nothing; a booking by the ledger clears it', async () => {
  const first = onFreshDay(22);
  const calls = slotCalls();
  const refused = await schedule('hugo', first);
  expect(refused.status).toBe(409);
  expect(refused.body.error.details.calcomSaid).toMatch(/free starts that day/);
  expect(slotCalls()).toBe(calls + 2);
  expect((await schedule('hugo', new Date(Date.parse(first) + 30 * 60_000).toISOString())).status).toBe(409);
  expect((await schedule('hugo', first)).status).toBe(409);
  expect(slotCalls()).toBe(calls + 2);
  const sameDay = new Date(Date.parse(first) - 12 * 3_600_000).toISOString();
  expect((await schedule('hugo', sameDay)).status).toBe(201);
  expect(slotCalls()).toBe(calls + 3);
  // The ledger booked on event type 201: the next check asks Cal.com again (its hours, then its day for the words).
  expect((await schedule('hugo', first)).status).toBe(409);
  expect(slotCalls()).toBe(calls + 5);
});

test('without a Cal.com mapping for the staff member and service there is nothing to ask', async () => {
  const calls = slotCalls();
  const appointmentId = randomUUID();
  const customer = { name: 'Ada', email: 'ada-unmapped@example.com', timeZone: 'Europe/London' };
  const created = await admin.post('/appointments', { appointmentId, serviceId: 'assessment', staffId: 'rita', startsAt: onFreshDay(3), customer });
  expect(created.status).toBe(201);
  expect(slotCalls()).toBe(calls);
  const [scheduled] = await history(appointmentId);
  expect(scheduled!.metadata.calcomSlotCheck).toBeUndefined();
});

test('a reassign to a host outside working hours: 409, the appointment keeps its staff member', async () => {
  const { status, appointmentId } = await schedule('olivia', onFreshDay(22));
  expect(status).toBe(201);
  const reassigned = await admin.post(`/appointments/${appointmentId}/reassign`, { staffId: 'hugo' });
  expect(reassigned.status).toBe(409);
  expect(reassigned.body.error).toMatchObject({ code: 'CALCOM_SLOT_UNAVAILABLE', details: { eventTypeId: 201, hostUserId: 2 } });
  expect((await admin.get(`/appointments/${appointmentId}`)).body.staffId).toBe('olivia');
  const forced = await admin.post(`/appointments/${appointmentId}/reassign`, { staffId: 'hugo', force: true });
  expect(forced.status).toBe(200);
  expect((await history(appointmentId)).find((event) => event.type === 'StaffReassigned')?.metadata.calcomSlotCheck).toEqual({ outcome: 'forced', eventTypeId: 201 });
});

test('a change of service onto the longer event type whose hour is half busy: 409, the service stays', async () => {
  const startsAt = onFreshDay(10);
  const { status, appointmentId } = await schedule('olivia', startsAt);
  expect(status).toBe(201);
  const halfPast = new Date(Date.parse(startsAt) + 30 * 60_000);
  await fetch(`${sandbox.url}/_sandbox/busy`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify([{ userId: 1, start: halfPast.toISOString(), end: new Date(halfPast.getTime() + 30 * 60_000).toISOString() }]),
  });
  const changed = await admin.post(`/appointments/${appointmentId}/change-service`, { serviceId: 'assessment' });
  expect(changed.status).toBe(409);
  expect(changed.body.error).toMatchObject({ code: 'CALCOM_SLOT_UNAVAILABLE', details: { eventTypeId: 102 } });
  expect((await admin.get(`/appointments/${appointmentId}`)).body.serviceId).toBe('consult');
});

// Last: Cal.com stays unreachable for the rest of the file.
test('Cal.com unreachable (connection refused): the command goes ahead and the history says the check was skipped', async () => {
  await proxy.close();
  proxyClosed = true;
  const { status, appointmentId } = await schedule('hugo', onFreshDay(22));
  expect(status).toBe(201);
  const [scheduled] = await history(appointmentId);
  expect(scheduled!.metadata.calcomSlotCheck).toMatchObject({ outcome: 'skipped', eventTypeId: 201 });
  expect(scheduled!.metadata.calcomSlotCheck.reason).toMatch(/CALCOM_NETWORK/);
});
