import { appointmentWhen, factFor, ledgerWithSandboxForFile } from '../support/calcom-ledger.js';
import { slot } from '../support/calcom-sandbox-customer.js';
import { eventually } from '../support/eventually.js';

const file = ledgerWithSandboxForFile('echoes');

const ann = { name: 'Ann Lee', email: 'ann@example.com', timeZone: 'Europe/Berlin' };

async function scheduleSynced(index: number, serviceId = 'consultation') {
  const response = await file.admin.post('/appointments', { serviceId, staffId: 'olivia', startsAt: slot(index), customer: ann });
  expect(response.status).toBe(201);
  const { appointmentId } = response.body;
  const appointment = await appointmentWhen(file.admin, appointmentId, (found) => expect(found.calcom?.syncStatus).toBe('synced'));
  return { appointmentId, uid: appointment.calcom.bookingUid as string };
}

/** Every webhook Cal.com sent for these uids has been stored and applied, and each one was an echo. */
async function allEchoes(uids: string[], triggers: string[]) {
  for (const [index, uid] of uids.entries()) await factFor(file.admin, uid, triggers[index], 'echo');
}

describe("the sync's own writes come back as webhooks and change nothing", () => {
  it.each([
    ['arriving before the API answers (Cal.com default)', {}],
    ['arriving after the API answered', { webhookDelayMs: 200 }],
    ['arriving twice', { webhookDuplicateRate: 1 }],
  ])('schedule, reschedule, cancel: echoes %s, versions unchanged', async (_name, faults) => {
    await file.customer.faults(faults);
    const base = Object.keys(faults).length * 10 + 20;
    const { appointmentId, uid } = await scheduleSynced(base);
    await allEchoes([uid], ['BOOKING_CREATED']);
    await appointmentWhen(file.admin, appointmentId, (found) => expect(found.version).toBe(1));

    expect((await file.admin.post(`/appointments/${appointmentId}/reschedule`, { startsAt: slot(base + 2) })).status).toBe(200);
    const moved = await appointmentWhen(file.admin, appointmentId, (found) => {
      expect(found.calcom).toMatchObject({ syncStatus: 'synced', bookingUids: [uid, expect.any(String)] });
    });
    await allEchoes([moved.calcom.bookingUid], ['BOOKING_RESCHEDULED']);

    expect((await file.admin.post(`/appointments/${appointmentId}/cancel`, { reason: 'Closed that day' })).status).toBe(200);
    await appointmentWhen(file.admin, appointmentId, (found) => expect(found.calcom.syncStatus).toBe('synced'));
    await allEchoes([moved.calcom.bookingUid], ['BOOKING_CANCELLED']);

    const final = await appointmentWhen(file.admin, appointmentId, (found) => expect(found).toMatchObject({ status: 'cancelled', version: 3 }));
    expect(final.cancellationReason).toBe('Closed that day');
    const history = (await file.admin.get(`/appointments/${appointmentId}/history`)).body.events;
    expect(
      history.filter((event: { streamName: string; metadata: { source: string } }) => event.streamName.startsWith('appointment-') && event.metadata.source === 'calcom'),
    ).toEqual([]);
  });

  it('a change of service (cancel + create on Cal.com) echoes twice and changes nothing', async () => {
    const { appointmentId, uid } = await scheduleSynced(60);
    expect((await file.admin.post(`/appointments/${appointmentId}/change-service`, { serviceId: 'assessment' })).status).toBe(200);
    const changed = await appointmentWhen(file.admin, appointmentId, (found) => {
      expect(found.calcom.syncStatus).toBe('synced');
      expect(found.calcom.bookingUid).not.toBe(uid);
    });
    await allEchoes([uid, changed.calcom.bookingUid], ['BOOKING_CANCELLED', 'BOOKING_CREATED']);
    expect(changed).toMatchObject({ status: 'scheduled', serviceId: 'assessment', version: 2 });
    await eventually(async () => {
      const { body } = await file.admin.get(`/appointments/${appointmentId}`);
      expect(body.version).toBe(2);
    });
  });

  it('a customer cancel right after an admin change that Cal.com already has is news, not a conflict', async () => {
    const { appointmentId } = await scheduleSynced(70);
    expect((await file.admin.post(`/appointments/${appointmentId}/reschedule`, { startsAt: slot(71) })).status).toBe(200);
    const moved = await appointmentWhen(file.admin, appointmentId, (found) => expect(found.calcom.syncStatus).toBe('synced'));
    await file.customer.cancel(moved.calcom.bookingUid, 'Ill');
    await factFor(file.admin, moved.calcom.bookingUid, 'BOOKING_CANCELLED', 'applied');
    await appointmentWhen(file.admin, appointmentId, (found) => expect(found).toMatchObject({ status: 'cancelled', cancellationReason: 'Ill', version: 3 }));
  });
});
