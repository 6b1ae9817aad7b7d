import type { RunningLedger } from '../../apps/ledger/src/ledger.js';
import { appointmentWhen, factFor, startLedgerWithSandbox } from '../support/calcom-ledger.js';
import { slot, type sandboxCustomer } from '../support/calcom-sandbox-customer.js';
import { eventually } from '../support/eventually.js';
import type { LedgerClient } from '../support/ledger-client.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

type Setup = { ledger: RunningLedger; admin: LedgerClient; customer: ReturnType<typeof sandboxCustomer>; database: TestDatabase };
const ann = { name: 'Ann Lee', email: 'ann@example.com', timeZone: 'Europe/Berlin' };

async function start(policy: 'manual' | 'ledger-wins' | 'calcom-wins'): Promise<Setup> {
  const database = await createTestDatabase('conflicts');
  const started = await startLedgerWithSandbox(database.url, { conflictPolicy: policy });
  return { ...started, database };
}

async function stop(setup: Setup | undefined) {
  await setup?.ledger.close();
  await setup?.database.drop();
}

/**
 * Both sides change the same appointment at once: the admin moves it while Cal.com is unreachable (so the move is
 * not on Cal.com), and the customer moves the booking on Cal.com. Returns the two starts and the customer's new uid.
 */
async function concurrentMoves({ admin, customer }: Setup, index: number) {
  const scheduled = await admin.post('/appointments', { serviceId: 'consultation', staffId: 'olivia', startsAt: slot(index), customer: ann });
  const { appointmentId } = scheduled.body;
  const synced = await appointmentWhen(admin, appointmentId, (found) => expect(found.calcom?.syncStatus).toBe('synced'));
  await customer.faults({ apiErrorRate: 1 });
  const ledgerStart = slot(index + 1);
  expect((await admin.post(`/appointments/${appointmentId}/reschedule`, { startsAt: ledgerStart })).status).toBe(200);
  const moved = await customer.reschedule(synced.calcom.bookingUid, slot(index + 2), 'Customer moved it');
  return { appointmentId, ledgerStart, calcomStart: moved.start, customerUid: moved.uid, firstUid: synced.calcom.bookingUid as string };
}

async function openConflictOf(admin: LedgerClient, appointmentId: string) {
  return eventually(async () => {
    const { body } = await admin.get('/conflicts?status=open');
    const conflict = body.items.find((item: { appointmentId: string }) => item.appointmentId === appointmentId);
    expect(conflict).toBeTruthy();
    return conflict;
  });
}

describe('CONFLICT_POLICY=manual: a person decides', () => {
  let setup: Setup;
  beforeAll(async () => {
    setup = await start('manual');
  });
  afterAll(() => stop(setup));
  afterEach(() => setup.customer.faults({}));

  it('a concurrent change is a conflict: listed, notified, sync status conflict; keep ledger pushes the ledger to Cal.com', async () => {
    const { admin, customer } = setup;
    const { appointmentId, ledgerStart, calcomStart, customerUid, firstUid } = await concurrentMoves(setup, 1);
    expect((await factFor(admin, customerUid, 'BOOKING_RESCHEDULED')).outcome).toBe('conflict');
    const conflict = await openConflictOf(admin, appointmentId);
    expect(conflict).toMatchObject({ status: 'open', ledger: { startsAt: ledgerStart }, calcom: { startsAt: calcomStart, bookingUid: customerUid } });
    await appointmentWhen(admin, appointmentId, (found) => expect(found.calcom.syncStatus).toBe('conflict'));
    const { body: notices } = await admin.get('/notifications?kind=conflict');
    expect(notices.items.map((item: { details: { conflictId: string } }) => item.details.conflictId)).toContain(conflict.conflictId);

    await customer.faults({});
    const resolved = await admin.post(`/conflicts/${conflict.conflictId}/resolve`, { keep: 'ledger' });
    expect(resolved.status).toBe(200);
    expect(resolved.body).toMatchObject({ conflictId: conflict.conflictId, appointmentId, keep: 'ledger', version: 2 });
    const final = await appointmentWhen(
      admin,
      appointmentId,
      (found) => {
        expect(found.calcom.syncStatus).toBe('synced');
        expect(found.calcom.bookingUids.slice(0, 2)).toEqual([firstUid, customerUid]);
        expect(found.calcom.bookingUids).toHaveLength(3);
      },
      15_000,
    );
    expect(final).toMatchObject({ startsAt: ledgerStart, version: 2 });
    const booking = (await customer.state()).bookings.find((item) => item.uid === final.calcom.bookingUid);
    expect(booking).toMatchObject({ status: 'accepted', start: ledgerStart });
    const { body: closed } = await admin.get(`/conflicts/${conflict.conflictId}`);
    expect(closed).toMatchObject({ status: 'resolved', keep: 'ledger', decidedBy: 'person' });
  });

  it('keep calcom: the ledger takes Cal.com state as source calcom events, and Cal.com is left alone', async () => {
    const { admin, customer } = setup;
    const { appointmentId, calcomStart, customerUid } = await concurrentMoves(setup, 10);
    const conflict = await openConflictOf(admin, appointmentId);
    await customer.faults({});
    const apiCallsBefore = (await customer.state()).mutations.filter((mutation) => mutation.via === 'api').length;
    const resolved = await admin.post(`/conflicts/${conflict.conflictId}/resolve`, { keep: 'calcom' }, { 'x-actor': 'Maria (front desk)' });
    expect(resolved.body).toMatchObject({ keep: 'calcom', version: 3 });
    await appointmentWhen(
      admin,
      appointmentId,
      (found) => {
        expect(found).toMatchObject({ startsAt: calcomStart, version: 3 });
        expect(found.calcom).toMatchObject({ syncStatus: 'synced', bookingUid: customerUid });
      },
      15_000,
    );
    const history = (await admin.get(`/appointments/${appointmentId}/history`)).body.events;
    const taken = history.filter((event: { streamName: string }) => event.streamName.startsWith('appointment-')).at(-1);
    expect(taken).toMatchObject({ type: 'AppointmentRescheduled', metadata: { source: 'calcom', actor: 'Maria (front desk)' } });
    expect((await customer.state()).mutations.filter((mutation) => mutation.via === 'api')).toHaveLength(apiCallsBefore);
  });

  it('a conflict resolves once (409 CONFLICT_RESOLVED after), an unknown one is 404, and keep must be ledger or calcom', async () => {
    const { admin } = setup;
    const { body } = await admin.get('/conflicts?status=resolved');
    const done = body.items[0];
    const again = await admin.post(`/conflicts/${done.conflictId}/resolve`, { keep: 'calcom' });
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('CONFLICT_RESOLVED');
    expect((await admin.post('/conflicts/no-such-conflict/resolve', { keep: 'ledger' })).status).toBe(404);
    expect((await admin.post(`/conflicts/${done.conflictId}/resolve`, { keep: 'both' })).status).toBe(400);
  });
});

describe.each([
  ['ledger-wins', 'ledger'],
  ['calcom-wins', 'calcom'],
] as const)('CONFLICT_POLICY=%s: settled at once', (policy, keep) => {
  let setup: Setup;
  beforeAll(async () => {
    setup = await start(policy);
  });
  afterAll(() => stop(setup));

  it(`keeps the ${keep} side without a person, and the appointment ends synced`, async () => {
    const { admin, customer } = setup;
    const { appointmentId, ledgerStart, calcomStart, customerUid } = await concurrentMoves(setup, 20);
    expect((await factFor(admin, customerUid, 'BOOKING_RESCHEDULED')).outcome).toBe('conflict');
    await customer.faults({});
    const final = await appointmentWhen(
      admin,
      appointmentId,
      (found) => {
        expect(found.calcom.syncStatus).toBe('synced');
        expect(found.startsAt).toBe(keep === 'ledger' ? ledgerStart : calcomStart);
      },
      15_000,
    );
    const current = (await customer.state()).bookings.find((item) => item.uid === final.calcom.bookingUid);
    expect(current).toMatchObject({ status: 'accepted', start: final.startsAt });
    const { body } = await admin.get('/conflicts?status=resolved');
    expect(body.items.find((item: { appointmentId: string }) => item.appointmentId === appointmentId)).toMatchObject({ keep, decidedBy: 'policy' });
  });
});
