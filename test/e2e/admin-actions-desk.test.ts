import { randomUUID } from 'node:crypto';
import { factFor } from '../support/calcom-ledger.js';
import { sandboxCustomer } from '../support/calcom-sandbox-customer.js';
import type { SandboxLevers } from '../support/calcom-sync-harness.js';
import { type CalcomSyncSetup, startCalcomSyncSetup } from '../support/calcom-sync-setup.js';
import { eventually } from '../support/eventually.js';
import type { LedgerClient } from '../support/ledger-client.js';

/**
 * Issue 12, items 1-4, against the sandbox over real HTTP: confirm, decline and no-show reach Cal.com exactly once
 * (the sandbox's mutation log) and end synced, the webhook Cal.com sends after each is an echo; check-in, complete and
 * contact changes stay in the ledger and say so. Event type 102 requires confirmation, so the customer's bookings of
 * it arrive as BOOKING_REQUESTED. The ledger's and the sandbox's clocks move together, so a no-show can be after the start.
 */
let setup: CalcomSyncSetup;
let levers: SandboxLevers;
let admin: LedgerClient;
let clockOffsetMs = 0;
let hour = 0;
const now = () => new Date(Date.now() + clockOffsetMs);

/** Hours of their own, two days ahead, so no host is ever busy. */
const nextSlot = (): string => {
  const date = new Date(Date.now() + 2 * 86_400_000);
  date.setUTCHours(0, 0, 0, 0);
  return new Date(date.getTime() + hour++ * 3_600_000).toISOString();
};

beforeAll(async () => {
  setup = await startCalcomSyncSetup('admin_actions_desk', {
    eventTypes: (eventTypes) => eventTypes.map((eventType) => (eventType.id === 102 ? { ...eventType, requiresConfirmation: true } : eventType)),
    now,
  });
  ({ levers, admin } = setup);
});

afterAll(() => setup?.close());

afterEach(async () => {
  await levers?.setFaults({});
});

async function synced(appointmentId: string, check: (appointment: any) => void = () => undefined) {
  return eventually(async () => {
    const { body } = await admin.get(`/appointments/${appointmentId}`);
    expect(body.calcom).toMatchObject({ syncStatus: 'synced', lastError: null });
    check(body);
    return body;
  }, 15_000);
}

const opsOn = async (uid: string) => (await levers.state()).mutations.filter((mutation) => mutation.uid === uid).map(({ op, via }) => `${op}:${via}`);

/** A customer's booking of the confirmation-required type, as the ledger holds it: requested. */
async function requestedByCustomer() {
  const email = `ann-${randomUUID().slice(0, 8)}@example.com`;
  const booking = await sandboxCustomer(setup.sandbox.url).book(102, nextSlot(), { name: 'Ann Lee', email, timeZone: 'Europe/Berlin' });
  const { appointmentId } = await factFor(admin, booking.uid, 'BOOKING_REQUESTED', 'applied', 15_000);
  await synced(appointmentId!, (found) => expect(found.status).toBe('requested'));
  return { uid: booking.uid, appointmentId: appointmentId! };
}

async function scheduledByAdmin(startsAt = nextSlot()) {
  const appointmentId = randomUUID();
  const customer = { name: 'Ada Lovelace', email: `ada-${appointmentId.slice(0, 8)}@example.com`, timeZone: 'Europe/London' };
  expect((await admin.post('/appointments', { appointmentId, serviceId: 'consult', staffId: 'olivia', startsAt, customer, force: true })).status).toBe(201);
  const found = await synced(appointmentId);
  return { appointmentId, uid: found.calcom.bookingUid as string, startsAt };
}

const history = async (appointmentId: string) => (await admin.get(`/appointments/${appointmentId}/history`)).body.events as { type: string; data: any }[];
const historyTypes = async (appointmentId: string) => (await history(appointmentId)).map((entry) => entry.type);

describe('confirm and decline', () => {
  it('confirm: Cal.com confirms once, its BOOKING_CREATED is an echo, the appointment ends scheduled and synced', async () => {
    const { uid, appointmentId } = await requestedByCustomer();
    const answer = await admin.post(`/appointments/${appointmentId}/confirm`, {});
    expect(answer.status).toBe(200);
    const found = await synced(appointmentId, (appointment) => expect(appointment.status).toBe('scheduled'));
    expect(await opsOn(uid)).toEqual(['create:customer', 'confirm:api']);
    expect((await factFor(admin, uid, 'BOOKING_CREATED', undefined, 15_000)).outcome).toBe('echo');
    expect((await admin.get(`/appointments/${appointmentId}`)).body.version).toBe(found.version);
    expect((await levers.state()).bookings.find((booking) => booking.uid === uid)?.status).toBe('accepted');
    expect(await historyTypes(appointmentId)).toEqual(expect.arrayContaining(['AppointmentConfirmed', 'CalcomOperationStarted', 'CalcomOperationSucceeded']));
    // A repeat is harmless and calls nobody; a decline now is a 409.
    expect((await admin.post(`/appointments/${appointmentId}/confirm`, {})).body.version).toBe(found.version);
    const late = await admin.post(`/appointments/${appointmentId}/decline`, {});
    expect(late.status).toBe(409);
    expect(late.body.error).toMatchObject({ code: 'APPOINTMENT_STATUS_CONFLICT', details: { status: 'scheduled', allowedFrom: ['requested'] } });
    expect(await opsOn(uid)).toEqual(['create:customer', 'confirm:api']);
  });

  it('decline: Cal.com declines once with the reason, BOOKING_REJECTED is an echo, the appointment ends rejected and synced', async () => {
    const { uid, appointmentId } = await requestedByCustomer();
    expect((await admin.post(`/appointments/${appointmentId}/decline`, { reason: 'Stylist away' })).status).toBe(200);
    await synced(appointmentId, (appointment) => expect(appointment).toMatchObject({ status: 'rejected', cancellationReason: 'Stylist away' }));
    expect(await opsOn(uid)).toEqual(['create:customer', 'decline:api']);
    expect((await factFor(admin, uid, 'BOOKING_REJECTED', undefined, 15_000)).outcome).toBe('echo');
    expect((await levers.state()).bookings.find((booking) => booking.uid === uid)?.status).toBe('rejected');
  });

  it('confirm with its answer lost (a timeout whose change lands): Cal.com is read, not called again', async () => {
    const { uid, appointmentId } = await requestedByCustomer();
    await levers.setFaults({ apiTimeoutRate: 1, apiTimeoutHangMs: 4_000, rateLimitPerMinute: 100_000 });
    expect((await admin.post(`/appointments/${appointmentId}/confirm`, {})).status).toBe(200);
    await eventually(async () => {
      expect((await history(appointmentId)).some((entry) => entry.type === 'CalcomOperationFailed' && entry.data.operation === 'confirm' && entry.data.outcomeUnknown)).toBe(true);
    }, 15_000);
    await levers.setFaults({});
    await synced(appointmentId, (appointment) => expect(appointment.status).toBe('scheduled'));
    expect(await opsOn(uid)).toEqual(['create:customer', 'confirm:api']);
    const succeeded = (await history(appointmentId)).filter((entry) => entry.type === 'CalcomOperationSucceeded' && entry.data.operation === 'confirm');
    expect(succeeded.map((entry) => entry.data.alreadyDone)).toEqual([true]);
  });
});

describe('no-show', () => {
  it('before the start: 409 APPOINTMENT_NOT_STARTED, nothing stored; after it: marked on Cal.com once, taken back once, both webhooks echoes', async () => {
    const { appointmentId, uid, startsAt } = await scheduledByAdmin();
    const before = await admin.get(`/appointments/${appointmentId}`);
    const early = await admin.post(`/appointments/${appointmentId}/no-show`, { absent: true });
    expect(early.status).toBe(409);
    expect(early.body.error).toMatchObject({ code: 'APPOINTMENT_NOT_STARTED', details: { appointmentId, startsAt } });
    expect((await admin.get(`/appointments/${appointmentId}`)).body.version).toBe(before.body.version);

    clockOffsetMs = Date.parse(startsAt) + 10 * 60_000 - Date.now();
    try {
      expect((await admin.post(`/appointments/${appointmentId}/no-show`, { absent: true })).status).toBe(200);
      await synced(appointmentId, (appointment) => expect(appointment.status).toBe('no_show'));
      expect(await opsOn(uid)).toEqual(['create:api', 'mark-absent:api']);
      expect((await factFor(admin, uid, 'BOOKING_NO_SHOW_UPDATED', undefined, 15_000)).outcome).toBe('echo');

      expect((await admin.post(`/appointments/${appointmentId}/no-show`, { absent: false })).status).toBe(200);
      await synced(appointmentId, (appointment) => expect(appointment.status).toBe('scheduled'));
      expect(await opsOn(uid)).toEqual(['create:api', 'mark-absent:api', 'mark-absent:api']);
      await eventually(async () => {
        const { body } = await admin.get('/webhooks/calcom/facts?limit=500');
        const facts = body.items.filter((item: any) => item.bookingUid === uid && item.triggerEvent === 'BOOKING_NO_SHOW_UPDATED');
        expect(facts.map((fact: any) => fact.outcome)).toEqual(['echo', 'echo']);
      }, 15_000);
      const after = await synced(appointmentId);
      expect(after.status).toBe('scheduled');
      expect(await historyTypes(appointmentId)).toEqual(expect.arrayContaining(['NoShowMarked', 'NoShowUndone']));
    } finally {
      clockOffsetMs = 0;
    }
  });
});

describe('check-in, complete and contact changes stay in the ledger', () => {
  it('each ends synced without a Cal.com call, and the answer and the appointment say what Cal.com does not know', async () => {
    const { appointmentId, uid } = await scheduledByAdmin();
    const checkIn = await admin.post(`/appointments/${appointmentId}/check-in`, {});
    expect(checkIn.status).toBe(200);
    expect(checkIn.body.calcom).toEqual({ notSynced: ['status'] });
    const arrived = await synced(appointmentId, (appointment) => expect(appointment).toMatchObject({ status: 'arrived', calcom: { notSynced: ['status'] } }));
    // The customer is in the chair: the time stays taken, and the list finds them by status.
    const overlapping = { serviceId: 'consult', staffId: 'olivia', startsAt: arrived.startsAt, customer: { name: 'Bo', email: 'bo@example.com', timeZone: 'UTC' }, force: true };
    const refused = await admin.post('/appointments', overlapping);
    expect(refused.status).toBe(409);
    expect(refused.body.error).toMatchObject({ code: 'STAFF_UNAVAILABLE', details: { conflictingAppointmentIds: [appointmentId] } });
    const byStatus = await admin.get('/appointments?status=arrived&staffId=olivia');
    expect(byStatus.body.items.map((item: { appointmentId: string }) => item.appointmentId)).toContain(appointmentId);

    const contact = await admin.post(`/appointments/${appointmentId}/contact`, {
      customer: { email: 'ada.new@example.com', phone: '+44 20 7946 0000' },
      notes: 'Allergic to\nlavender',
    });
    expect(contact.status).toBe(200);
    expect(contact.body.calcom).toEqual({ notSynced: ['customer.email', 'customer.phone', 'notes'] });
    expect((await admin.post(`/appointments/${appointmentId}/complete`, {})).status).toBe(200);
    const found = await synced(appointmentId, (appointment) => expect(appointment.status).toBe('completed'));
    expect(found.customer).toMatchObject({ email: 'ada.new@example.com', phone: '+44 20 7946 0000' });
    expect(found.notes).toBe('Allergic to\nlavender');
    expect(found.calcom.notSynced).toEqual(['status', 'customer.email', 'customer.phone', 'notes']);
    expect(await opsOn(uid)).toEqual(['create:api']);
    expect(await historyTypes(appointmentId)).toEqual(expect.arrayContaining(['CustomerCheckedIn', 'ContactDetailsChanged', 'AppointmentCompleted']));
    // The list (a read model) shows the same status, contact and version as the item.
    const listed = await admin.get(`/appointments?staffId=olivia&from=${encodeURIComponent(found.startsAt)}&to=${encodeURIComponent(found.endsAt)}`);
    expect(listed.body.items.find((item: { appointmentId: string }) => item.appointmentId === appointmentId)).toMatchObject({
      status: 'completed',
      customer: { email: 'ada.new@example.com' },
      notes: 'Allergic to\nlavender',
      version: found.version,
    });

    // The drift report does not count them: Cal.com's booking is accepted with the old e-mail, and that is no drift.
    const check = await admin.post('/drift/check', {});
    expect(check.status).toBe(200);
    expect(check.body.report.items.filter((item: { appointmentId: string | null }) => item.appointmentId === appointmentId)).toEqual([]);
  });

  it('refuses hostile or wrong input with 400 and an auditor with 403, storing nothing', async () => {
    const { appointmentId } = await scheduledByAdmin();
    const version = (await admin.get(`/appointments/${appointmentId}`)).body.version;
    const bad: [string, unknown][] = [
      ['contact', { customer: { name: 'Ada\u0000' } }],
      ['contact', { customer: { name: 'Ada\uD800' } }],
      ['contact', { customer: { name: null } }],
      ['contact', { customer: { name: '' } }],
      ['contact', { customer: { email: 'not-an-email' } }],
      ['contact', { customer: { name: 'x'.repeat(201) } }],
      ['contact', { notes: 'n'.repeat(2001) }],
      ['contact', JSON.parse('{"customer":{"__proto__":{"admin":true}}}')],
      ['contact', { customer: { timeZone: 'Europe/Paris' } }],
      ['contact', { customer: 'Ada' }],
      ['no-show', {}],
      ['no-show', { absent: 'yes' }],
      ['decline', { reason: 'r'.repeat(501) }],
      ['confirm', { force: true }],
      ['check-in', { at: '2030-01-01T00:00:00Z' }],
    ];
    for (const [action, body] of bad) {
      const answer = await admin.post(`/appointments/${appointmentId}/${action}`, body);
      expect({ action, body, status: answer.status, code: answer.body?.error?.code }).toMatchObject({ status: 400, code: 'VALIDATION_FAILED' });
    }
    for (const action of ['confirm', 'decline', 'check-in', 'complete']) {
      expect((await setup.auditor.post(`/appointments/${appointmentId}/${action}`, {})).status).toBe(403);
    }
    expect((await admin.post(`/appointments/__proto__/check-in`, {})).status).toBe(404);
    const openApi = (await fetch(`${setup.ledger.url}/docs/openapi.json`).then((response) => response.json())) as { paths: Record<string, Record<string, unknown>> };
    for (const action of ['confirm', 'decline', 'no-show', 'check-in', 'complete', 'contact'])
      expect(Object.keys(openApi.paths[`/appointments/{id}/${action}`] ?? {})).toEqual(['post']);
    expect((await admin.get(`/appointments/${appointmentId}`)).body.version).toBe(version);
  });
});
