import { randomUUID } from 'node:crypto';
import { mutationsOf, type SandboxLevers } from '../support/calcom-sync-harness.js';
import { type CalcomSyncSetup, dailySlots, startCalcomSyncSetup } from '../support/calcom-sync-setup.js';
import { eventually } from '../support/eventually.js';
import type { LedgerClient } from '../support/ledger-client.js';

/** The four admin changes reach Cal.com (the sandbox, over HTTP) exactly once, with the uid chain right. */
let setup: CalcomSyncSetup;
let levers: SandboxLevers;
let admin: LedgerClient;
const nextSlot = dailySlots(10);

beforeAll(async () => {
  setup = await startCalcomSyncSetup('calcom_sync_admin');
  ({ levers, admin } = setup);
});

afterAll(() => setup?.close());

async function scheduleSynced(serviceId: string, staffId: string) {
  const appointmentId = randomUUID();
  const customer = { name: 'Ada Lovelace', email: `ada-${appointmentId.slice(0, 8)}@example.com`, timeZone: 'Europe/London' };
  const created = await admin.post('/appointments', { appointmentId, serviceId, staffId, startsAt: nextSlot(), customer });
  expect(created.status).toBe(201);
  const calcom = await syncedBlock(appointmentId);
  return { appointmentId, firstUid: calcom.bookingUid as string };
}

async function syncedBlock(appointmentId: string) {
  return eventually(async () => {
    const { body } = await admin.get(`/appointments/${appointmentId}`);
    expect(body.calcom).toMatchObject({ syncStatus: 'synced', attempts: 0, lastError: null });
    return body.calcom;
  }, 10_000);
}

async function booking(uid: string) {
  return (await levers.state()).bookings.find((candidate) => candidate.uid === uid)!;
}

test('a new appointment is created on Cal.com once, with its id in the booking metadata', async () => {
  const { appointmentId, firstUid } = await scheduleSynced('consult', 'olivia');
  const state = await levers.state();
  expect(mutationsOf(state, appointmentId)).toEqual([{ op: 'create', uid: firstUid }]);
  expect(await booking(firstUid)).toMatchObject({ status: 'accepted', eventTypeId: 101, hosts: [{ id: 1 }], metadata: { appointmentId } });
});

test('cancel → the booking is cancelled once', async () => {
  const { appointmentId, firstUid } = await scheduleSynced('consult', 'olivia');
  expect((await admin.post(`/appointments/${appointmentId}/cancel`, { reason: 'Client is ill' })).status).toBe(200);
  const calcom = await syncedBlock(appointmentId);
  expect(calcom).toMatchObject({ bookingUid: firstUid, bookingUids: [firstUid] });
  expect(mutationsOf(await levers.state(), appointmentId)).toEqual([
    { op: 'create', uid: firstUid },
    { op: 'cancel', uid: firstUid },
  ]);
  expect(await booking(firstUid)).toMatchObject({ status: 'cancelled' });
});

test('reschedule → one reschedule, a new uid at the end of the chain', async () => {
  const { appointmentId, firstUid } = await scheduleSynced('consult', 'olivia');
  const startsAt = nextSlot(15);
  expect((await admin.post(`/appointments/${appointmentId}/reschedule`, { startsAt })).status).toBe(200);
  const calcom = await syncedBlock(appointmentId);
  const [, secondUid] = calcom.bookingUids;
  expect(calcom).toMatchObject({ bookingUid: secondUid, bookingUids: [firstUid, secondUid] });
  expect(mutationsOf(await levers.state(), appointmentId)).toEqual([
    { op: 'create', uid: firstUid },
    { op: 'reschedule', uid: secondUid, rescheduledFromUid: firstUid },
  ]);
  expect(await booking(secondUid)).toMatchObject({ status: 'accepted', start: startsAt, rescheduledFromUid: firstUid });
  expect(await booking(firstUid)).toMatchObject({ status: 'cancelled', rescheduledToUid: secondUid });
});

test('reassign on a round-robin event type → reassigned in place (same uid)', async () => {
  const { appointmentId, firstUid } = await scheduleSynced('team', 'hugo');
  expect(await booking(firstUid)).toMatchObject({ eventTypeId: 103, hosts: [{ id: 2 }] });
  const before = mutationsOf(await levers.state(), appointmentId);
  expect((await admin.post(`/appointments/${appointmentId}/reassign`, { staffId: 'rita' })).status).toBe(200);
  const calcom = await syncedBlock(appointmentId);
  expect(calcom).toMatchObject({ bookingUid: firstUid, bookingUids: [firstUid] });
  expect(mutationsOf(await levers.state(), appointmentId)).toEqual([...before, { op: 'reassign', uid: firstUid }]);
  expect(await booking(firstUid)).toMatchObject({ status: 'accepted', eventTypeId: 103, hosts: [{ id: 3 }] });
});

test('reassign on a non-round-robin event type → the booking is cancelled and one is created on the new staff member’s type', async () => {
  const { appointmentId, firstUid } = await scheduleSynced('consult', 'olivia');
  expect((await admin.post(`/appointments/${appointmentId}/reassign`, { staffId: 'hugo' })).status).toBe(200);
  const calcom = await syncedBlock(appointmentId);
  const [, secondUid] = calcom.bookingUids;
  expect(calcom).toMatchObject({ bookingUid: secondUid, bookingUids: [firstUid, secondUid] });
  expect(mutationsOf(await levers.state(), appointmentId)).toEqual([
    { op: 'create', uid: firstUid },
    { op: 'cancel', uid: firstUid },
    { op: 'create', uid: secondUid },
  ]);
  expect(await booking(secondUid)).toMatchObject({ status: 'accepted', eventTypeId: 201, hosts: [{ id: 2 }], metadata: { appointmentId } });
});

test('change of service → cancel + create on the new event type', async () => {
  const { appointmentId, firstUid } = await scheduleSynced('consult', 'olivia');
  expect((await admin.post(`/appointments/${appointmentId}/change-service`, { serviceId: 'assessment' })).status).toBe(200);
  const calcom = await syncedBlock(appointmentId);
  const [, secondUid] = calcom.bookingUids;
  expect(mutationsOf(await levers.state(), appointmentId)).toEqual([
    { op: 'create', uid: firstUid },
    { op: 'cancel', uid: firstUid },
    { op: 'create', uid: secondUid },
  ]);
  expect(await booking(secondUid)).toMatchObject({ status: 'accepted', eventTypeId: 102, hosts: [{ id: 1 }] });
});

test('a staff member without an event type for the service fails for good with the reason, and a retry after fixing the catalog syncs it', async () => {
  const appointmentId = randomUUID();
  const customer = { name: 'Bo', email: `bo-${appointmentId.slice(0, 8)}@example.com`, timeZone: 'UTC' };
  expect((await admin.post('/appointments', { appointmentId, serviceId: 'assessment', staffId: 'hugo', startsAt: nextSlot(), customer })).status).toBe(201);
  const failed = await eventually(async () => {
    const { body } = await admin.get(`/appointments/${appointmentId}`);
    expect(body.calcom).toMatchObject({ syncStatus: 'failed', lastError: { code: 'CALCOM_EVENT_TYPE_MISSING', permanent: true } });
    return body.calcom;
  }, 10_000);
  expect(failed.lastError.message).toContain('Service assessment has no Cal.com event type for staff member hugo');
  expect(mutationsOf(await levers.state(), appointmentId)).toEqual([]);

  await admin.put('/services/assessment', { name: 'Assessment', durationMinutes: 60, calcomEventTypeIds: { olivia: 102, hugo: 201 } });
  expect((await admin.post(`/appointments/${appointmentId}/sync`)).status).toBe(202);
  const calcom = await syncedBlock(appointmentId);
  expect(mutationsOf(await levers.state(), appointmentId)).toEqual([{ op: 'create', uid: calcom.bookingUid }]);
  await admin.put('/services/assessment', { name: 'Assessment', durationMinutes: 60, calcomEventTypeIds: { olivia: 102 } });
});

test('Cal.com’s refusal is a permanent failure with Cal.com’s own message, not retried', async () => {
  // Olivia is busy at that time on Cal.com, so Cal.com refuses the create. The ledger must not know that booking
  // (its calendar would refuse ours first): booked at another time, then moved there without a webhook.
  const startsAt = nextSlot();
  const walkIn = await fetch(`${setup.sandbox.url}/_sandbox/bookings`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ eventTypeId: 102, start: nextSlot(), attendee: { name: 'Walk In', email: 'walkin@example.com', timeZone: 'UTC' } }),
  });
  const { uid } = (await walkIn.json()) as { uid: string };
  const moved = await fetch(`${setup.sandbox.url}/_sandbox/bookings/${uid}`, {
    method: 'PATCH',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ start: startsAt }),
  });
  expect(moved.status).toBe(200);
  const appointmentId = randomUUID();
  const customer = { name: 'Cy', email: `cy-${appointmentId.slice(0, 8)}@example.com`, timeZone: 'UTC' };
  // Cal.com's slots already say no (409 CALCOM_SLOT_UNAVAILABLE): the admin overrides, and Cal.com's refusal is the sync's.
  expect((await admin.post('/appointments', { appointmentId, serviceId: 'consult', staffId: 'olivia', startsAt, customer, force: true })).status).toBe(201);
  const calcom = await eventually(async () => {
    const { body } = await admin.get(`/appointments/${appointmentId}`);
    expect(body.calcom).toMatchObject({ syncStatus: 'failed', attempts: 1, lastError: { code: 'CALCOM_REJECTED', status: 400, permanent: true } });
    return body.calcom;
  }, 10_000);
  expect(calcom.lastError.message).toMatch(/\S/);
  const history = (await admin.get(`/appointments/${appointmentId}/history`)).body.events.map((e: { type: string }) => e.type);
  expect(history.filter((type: string) => type === 'CalcomOperationStarted')).toHaveLength(1);
});

test('the history is one timeline: the admin change, the Cal.com call it caused and its outcome, and the webhook about it', async () => {
  const { appointmentId } = await scheduleSynced('consult', 'olivia');
  const reschedule = await admin.post(`/appointments/${appointmentId}/reschedule`, { startsAt: nextSlot(16) }, { 'x-correlation-id': `move-${appointmentId}` });
  expect(reschedule.status).toBe(200);
  await syncedBlock(appointmentId);
  const events: { type: string; eventId: string; streamName: string; metadata: { correlationId: string; causationId: string | null; source: string } }[] = await eventually(
    async () => {
      const { body } = await admin.get(`/appointments/${appointmentId}/history`);
      expect(body.events.some((event: { streamName: string }) => event.streamName.startsWith('calcomwebhook-'))).toBe(true);
      return body.events;
    },
    10_000,
  );
  const types = events.map(({ type }) => type);
  const moved = events.find(({ type }) => type === 'AppointmentRescheduled')!;
  const call = events.find(({ type, metadata }) => type === 'CalcomOperationStarted' && metadata.causationId === moved.eventId)!;
  const outcome = events.find(({ type, metadata }) => type === 'CalcomOperationSucceeded' && metadata.causationId === moved.eventId)!;
  expect(call.metadata).toMatchObject({ correlationId: `move-${appointmentId}`, source: 'sync' });
  expect(outcome.metadata.correlationId).toBe(`move-${appointmentId}`);
  expect(types.indexOf('AppointmentScheduled')).toBe(0);
  expect(events.indexOf(moved)).toBeLessThan(events.indexOf(call));
  expect(events.indexOf(call)).toBeLessThan(events.indexOf(outcome));
  expect(types.lastIndexOf('CalcomSyncCompleted')).toBeGreaterThan(events.indexOf(outcome));
});
