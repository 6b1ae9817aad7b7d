import { appointmentWhen, factFor, ledgerWithSandboxForFile } from '../support/calcom-ledger.js';
import { slot } from '../support/calcom-sandbox-customer.js';
import { eventually } from '../support/eventually.js';

const file = ledgerWithSandboxForFile('customer');

const ann = { name: 'Ann Lee', email: 'ann@example.com', timeZone: 'Europe/Berlin' };

/** The ledger never called Cal.com for the customer's own changes. */
async function ledgerMutationsOn(uids: string[]) {
  return (await file.customer.state()).mutations.filter((mutation) => uids.includes(mutation.uid) && mutation.via === 'api');
}

describe("a customer's changes on Cal.com land in the ledger", () => {
  it('create, reschedule and cancel: a new appointment, moved along its uid chain, then cancelled', async () => {
    const booked = await file.customer.book(101, slot(1), ann);
    const created = await factFor(file.admin, booked.uid, 'BOOKING_CREATED');
    expect(created).toMatchObject({ outcome: 'applied', appointmentId: expect.any(String) });
    const appointmentId = created.appointmentId!;
    await appointmentWhen(file.admin, appointmentId, (appointment) => {
      expect(appointment).toMatchObject({
        status: 'scheduled',
        staffId: 'olivia',
        serviceId: 'consultation',
        startsAt: booked.start,
        endsAt: booked.end,
        customer: { name: 'Ann Lee', email: 'ann@example.com', timeZone: 'Europe/Berlin' },
      });
      expect(appointment.calcom).toMatchObject({ bookingUid: booked.uid, syncStatus: 'synced' });
    });

    const moved = await file.customer.reschedule(booked.uid, slot(3));
    await factFor(file.admin, moved.uid, 'BOOKING_RESCHEDULED', 'applied');
    await appointmentWhen(file.admin, appointmentId, (appointment) => {
      expect(appointment).toMatchObject({ startsAt: moved.start, endsAt: moved.end, version: 2 });
      expect(appointment.calcom).toMatchObject({ bookingUid: moved.uid, bookingUids: [booked.uid, moved.uid], syncStatus: 'synced' });
    });

    await file.customer.cancel(moved.uid, 'Changed my mind');
    await factFor(file.admin, moved.uid, 'BOOKING_CANCELLED', 'applied');
    await appointmentWhen(file.admin, appointmentId, (appointment) => {
      expect(appointment).toMatchObject({ status: 'cancelled', cancellationReason: 'Changed my mind', version: 3 });
      expect(appointment.calcom.syncStatus).toBe('synced');
    });
    expect(await ledgerMutationsOn([booked.uid, moved.uid])).toEqual([]);
  });

  it('the history shows each fact and the change it caused, from Cal.com, caused by the fact', async () => {
    const booked = await file.customer.book(102, slot(5), ann);
    const { appointmentId, factId } = await factFor(file.admin, booked.uid, 'BOOKING_CREATED');
    const history = await eventually(async () => {
      const { body } = await file.admin.get(`/appointments/${appointmentId}/history`);
      // The sync's own events (calcomsync-) interleave; the fact and its effect keep this order among themselves.
      const factAndEffect = body.events.filter((event: { streamName: string }) => !event.streamName.startsWith('calcomsync-'));
      expect(factAndEffect.map((event: { type: string }) => event.type)).toEqual(['CalcomWebhookReceived', 'AppointmentScheduled', 'CalcomWebhookApplied']);
      return factAndEffect;
    });
    expect(history[0]).toMatchObject({ eventId: factId, data: { triggerEvent: 'BOOKING_CREATED', bookingUid: booked.uid } });
    expect(history[1].metadata).toMatchObject({ source: 'calcom', causationId: factId, correlationId: history[0].metadata.correlationId });
    expect(history[2].data).toMatchObject({ outcome: 'applied', appointmentId });
  });

  it('a round-robin booking becomes an appointment with the host Cal.com picked', async () => {
    const booked = await file.customer.book(103, slot(6), ann);
    const { appointmentId } = await factFor(file.admin, booked.uid, 'BOOKING_CREATED', 'applied');
    const appointment = await appointmentWhen(file.admin, appointmentId!, (found) => expect(found.serviceId).toBe('team-session'));
    expect(['hugo', 'rita']).toContain(appointment.staffId);
  });
});

describe('duplicate, reordered and delayed webhooks change nothing wrong', () => {
  it('a webhook delivered twice (identical bytes) makes one appointment and one fact', async () => {
    await file.customer.faults({ webhookDuplicateRate: 1 });
    const booked = await file.customer.book(101, slot(8), ann);
    const fact = await factFor(file.admin, booked.uid, 'BOOKING_CREATED');
    await eventually(async () => {
      const deliveries = (await file.customer.state()).webhooks.filter((webhook) => webhook.uid === booked.uid);
      expect(deliveries.map((delivery) => delivery.status)).toEqual([200, 200]);
    });
    const { body } = await file.admin.get('/webhooks/calcom/facts?limit=500');
    expect(body.items.filter((item: { bookingUid: string }) => item.bookingUid === booked.uid)).toHaveLength(1);
    const appointments = await file.admin.get(`/appointments?from=${encodeURIComponent(slot(8))}&to=${encodeURIComponent(slot(9))}`);
    expect(appointments.body.items.map((item: { appointmentId: string }) => item.appointmentId)).toEqual([fact.appointmentId]);
  });

  it('a cancel that overtakes its create is kept as an orphan, then applied once the booking is known', async () => {
    await file.customer.faults({ webhookReorder: true });
    const booked = await file.customer.book(101, slot(10), ann);
    await file.customer.cancel(booked.uid, 'Too early');
    const created = await factFor(file.admin, booked.uid, 'BOOKING_CREATED');
    await appointmentWhen(file.admin, created.appointmentId!, (appointment) => {
      expect(appointment).toMatchObject({ status: 'cancelled', cancellationReason: 'Too early', version: 2 });
    });
    const cancelled = await factFor(file.admin, booked.uid, 'BOOKING_CANCELLED', 'applied');
    expect(cancelled.appointmentId).toBe(created.appointmentId);
    const { body } = await file.admin.get(`/appointments/${created.appointmentId}/history`);
    const outcomes = body.events
      .filter((event: { type: string }) => event.type === 'CalcomWebhookApplied')
      .map((event: { data: { outcome: string; triggerEvent: string } }) => `${event.data.triggerEvent} ${event.data.outcome}`);
    expect(outcomes).toEqual(['BOOKING_CANCELLED orphan', 'BOOKING_CREATED applied', 'BOOKING_CANCELLED applied']);
  });

  it('a reschedule that overtakes its create ends at the rescheduled time with the whole chain', async () => {
    await file.customer.faults({ webhookReorder: true });
    const booked = await file.customer.book(101, slot(12), ann);
    const moved = await file.customer.reschedule(booked.uid, slot(13));
    const created = await factFor(file.admin, booked.uid, 'BOOKING_CREATED');
    await appointmentWhen(file.admin, created.appointmentId!, (appointment) => {
      expect(appointment).toMatchObject({ status: 'scheduled', startsAt: moved.start });
      expect(appointment.calcom).toMatchObject({ bookingUid: moved.uid, bookingUids: [booked.uid, moved.uid] });
    });
  });

  it('webhooks that arrive late (after the API answered) land all the same', async () => {
    await file.customer.faults({ webhookDelayMs: 300 });
    const booked = await file.customer.book(101, slot(14), ann);
    const created = await factFor(file.admin, booked.uid, 'BOOKING_CREATED');
    expect(created.outcome).toBe('applied');
  });
});
