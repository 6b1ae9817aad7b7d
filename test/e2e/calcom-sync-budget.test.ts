import { randomUUID } from 'node:crypto';
import type { RunningLedger } from '../../apps/ledger/src/ledger.js';
import type { CalcomAnsweringProxy } from '../support/calcom-answering-proxy.js';
import { LEDGER_SERVICES, mutationsOf, type SandboxLevers } from '../support/calcom-sync-harness.js';
import { type CalcomSyncSetup, dailySlots, startCalcomSyncSetup } from '../support/calcom-sync-setup.js';
import { eventually } from '../support/eventually.js';
import type { LedgerClient } from '../support/ledger-client.js';

/**
 * Every Cal.com operation has a budget. Cal.com throws some refusals as a 500 (handleCancelBooking.ts: an event type
 * that disallows cancelling, a host cancel without a reason; both HttpError, unmapped by API v2), which the ledger
 * must take as "outcome unknown": it looks, sees nothing changed, and may try again, but only within the budget.
 * A proxy in front of the sandbox answers 500 to every cancel of the booking we name (and counts them), as such an
 * event type would; everything else reaches the sandbox unchanged.
 */
const MAX_ATTEMPTS = 3;
const REFUSAL = { status: 'error', error: { code: 'InternalServerErrorException', message: 'Booking cannot be cancelled for this event type' } };

let setup: CalcomSyncSetup;
let levers: SandboxLevers;
let proxy: CalcomAnsweringProxy;
let ledger: RunningLedger;
let admin: LedgerClient;
const nextSlot = dailySlots(30, 11);

beforeAll(async () => {
  setup = await startCalcomSyncSetup('calcom_sync_budget', {
    // 106: Olivia's consultation with cancelling disabled; the sandbox answers its cancels 500, as Cal.com does.
    eventTypes: (eventTypes) => [...eventTypes, { ...eventTypes.find((eventType) => eventType.id === 101)!, id: 106, slug: 'consultation-locked', disableCancelling: true }],
    proxy: true,
    calcom: { operationMaxAttempts: MAX_ATTEMPTS, operationMaxMs: 120_000, retryInitialDelayMs: 20, retryMaxDelayMs: 100 },
    services: [...LEDGER_SERVICES, { id: 'locked', body: { name: 'Locked consultation', durationMinutes: 30, calcomEventTypeIds: { olivia: 106 } } }],
  });
  ({ levers, ledger, admin } = setup);
  proxy = setup.proxy!;
});

afterAll(() => setup?.close());

const cancelCallsOf = (uid: string) => proxy.count('POST', `/v2/bookings/${uid}/cancel`);
const refuseCancelOf = (uid: string) => proxy.rules.push({ method: 'POST', path: new RegExp(`^/v2/bookings/${uid}/cancel$`), status: 500, body: REFUSAL });

async function calcomBlock(appointmentId: string) {
  return (await admin.get(`/appointments/${appointmentId}`)).body.calcom;
}

async function scheduleSynced(serviceId = 'consult'): Promise<{ appointmentId: string; uid: string }> {
  const appointmentId = randomUUID();
  const customer = { name: 'Grace Hopper', email: `grace-${appointmentId.slice(0, 8)}@example.com`, timeZone: 'Europe/London' };
  const created = await admin.post('/appointments', { appointmentId, serviceId, staffId: 'olivia', startsAt: nextSlot(), customer });
  expect(created.status).toBe(201);
  const calcom = await eventually(async () => {
    const block = await calcomBlock(appointmentId);
    expect(block).toMatchObject({ syncStatus: 'synced' });
    return block;
  }, 10_000);
  return { appointmentId, uid: calcom.bookingUid };
}

async function failedWith(appointmentId: string, calls: number, message = 'cannot be cancelled') {
  return eventually(async () => {
    const block = await calcomBlock(appointmentId);
    expect(block).toMatchObject({ syncStatus: 'failed', lastError: { status: 500, message: expect.stringContaining(message) } });
    expect(cancelCallsOf(block.bookingUid)).toBe(calls);
    return block;
  }, 20_000);
}

test('a cancel Cal.com answers 500 every time ends failed, notified, after the budgeted calls; a retry gets a fresh budget', async () => {
  const { appointmentId, uid } = await scheduleSynced();
  refuseCancelOf(uid);
  expect((await admin.post(`/appointments/${appointmentId}/cancel`, { reason: 'Client moved away' })).status).toBe(200);

  await failedWith(appointmentId, MAX_ATTEMPTS);
  const notices = await eventually(async () => {
    const { body } = await admin.get('/notifications?kind=sync_failed');
    const mine = body.items.filter((item: { appointmentId?: string; appointment_id?: string }) => (item.appointmentId ?? item.appointment_id) === appointmentId);
    expect(mine).toHaveLength(1);
    return mine;
  }, 10_000);
  expect(JSON.stringify(notices[0])).toContain('cannot be cancelled');
  // Nothing changed on Cal.com, and nothing more is sent while the failure stands (the lookup after the last call was the end).
  expect(mutationsOf(await levers.state(), appointmentId)).toEqual([{ op: 'create', uid }]);
  const metrics = await (await fetch(`${ledger.url}/metrics`)).text();
  expect(metrics).toMatch(/ledger_calcom_operations_past_half_budget_total\{operation="cancel"\} 1\b/);

  // POST /appointments/{id}/sync: a fresh budget, spent again on the same refusal, then failed again.
  expect((await admin.post(`/appointments/${appointmentId}/sync`)).status).toBeLessThan(300);
  await failedWith(appointmentId, 2 * MAX_ATTEMPTS);

  // Cal.com lets go: a retry cancels, once.
  proxy.rules.length = 0;
  expect((await admin.post(`/appointments/${appointmentId}/sync`)).status).toBeLessThan(300);
  await eventually(async () => expect(await calcomBlock(appointmentId)).toMatchObject({ syncStatus: 'synced', lastError: null }), 10_000);
  expect(cancelCallsOf(uid)).toBe(2 * MAX_ATTEMPTS + 1);
  expect(mutationsOf(await levers.state(), appointmentId)).toEqual([
    { op: 'create', uid },
    { op: 'cancel', uid },
  ]);
}, 60_000);

test('a cancel on an event type that disallows cancelling (the sandbox answers 500, as Cal.com) ends failed within the budget', async () => {
  const { appointmentId, uid } = await scheduleSynced('locked');
  expect((await admin.post(`/appointments/${appointmentId}/cancel`, { reason: '__proto__ '.repeat(50) })).status).toBe(200);
  const block = await failedWith(appointmentId, MAX_ATTEMPTS, '');
  expect(block.lastError.message.length).toBeGreaterThan(0);
  expect(mutationsOf(await levers.state(), appointmentId)).toEqual([{ op: 'create', uid }]);
  expect((await levers.state()).bookings.find((booking) => booking.uid === uid)).toMatchObject({ status: 'accepted' });
}, 60_000);
