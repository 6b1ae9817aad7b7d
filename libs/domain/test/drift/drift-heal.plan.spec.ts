import { detectDrift } from '../../src/drift/detect-drift.js';
import { appointmentIdForBooking, driftHealWorkflow, planAutomaticHeal, type HealSteps } from '../../src/drift/drift-heal.plan.js';
import type { DriftKeep } from '../../src/drift/drift.events.js';
import type { CalcomBookingLevel, DriftItem, LedgerAppointmentLevel } from '../../src/drift/drift.types.js';
import { workflowSpecification } from '../support/workflow-specification.js';
import { appointment, booking, catalog, chain } from './drift-fixtures.js';

const heal = workflowSpecification(driftHealWorkflow);

/** Given a drift item as the check found it, when it is healed keeping one side, then these steps (or this refusal). */
const givenItem = (item: DriftItem) => ({
  whenHealedKeeping(keep: DriftKeep) {
    const when = heal(item).when({ keep, catalog });
    return {
      then(expected: Partial<HealSteps>): void {
        when.then({ ok: true, steps: expect.objectContaining(expected) });
      },
      thenRefused(reason: string): void {
        when.then({ ok: false, reason: expect.stringContaining(reason) });
      },
    };
  },
});

/** Given one appointment and its booking (the check compares them first), when … then … as above. */
const given = (ledger: LedgerAppointmentLevel | null, calcom: CalcomBookingLevel | null) => {
  const items = detectDrift(ledger ? [ledger] : [], calcom ? [calcom] : [], ledger && calcom ? [chain(ledger.appointmentId, calcom.uid)] : [], catalog, []);
  return { items, whenHealedKeeping: (keep: DriftKeep, which = 0) => givenItem(items[which]).whenHealedKeeping(keep) };
};

const moved = { start: '2030-01-02T11:00:00Z', end: '2030-01-02T11:30:00Z' };

describe('healing keeping the ledger', () => {
  it('tells the sync what Cal.com really has and asks it to try again; no appointment event', () => {
    given(appointment(), booking(moved))
      .whenHealedKeeping('ledger')
      .then({ appointmentId: 'a1', observe: expect.objectContaining({ uid: 'u1', start: moved.start }), events: [], retry: true, expectedRevision: 1 });
  });

  it('takes a booking that vanished as cancelled, so the sync books it again', () => {
    const items = detectDrift([appointment()], [], [chain('a1', 'u1')], catalog, []);
    givenItem(items[0])
      .whenHealedKeeping('ledger')
      .then({ observe: expect.objectContaining({ uid: 'u1', status: 'cancelled' }), retry: true });
  });

  it('records a booking only Cal.com has as an appointment the ledger cancelled, so the sync cancels the booking', () => {
    given(null, booking({ uid: 'x9', appointmentId: null }))
      .whenHealedKeeping('ledger')
      .then({
        appointmentId: appointmentIdForBooking('x9'),
        newAppointment: true,
        observe: expect.objectContaining({ uid: 'x9' }),
        events: [expect.objectContaining({ type: 'AppointmentScheduled' }), expect.objectContaining({ type: 'AppointmentCancelled' })],
        retry: true,
      });
  });
});

describe('healing keeping Cal.com', () => {
  it('reschedules the appointment to the booking’s times', () => {
    given(appointment(), booking(moved))
      .whenHealedKeeping('calcom')
      .then({
        retry: false,
        events: [
          {
            type: 'AppointmentRescheduled',
            data: {
              appointmentId: 'a1',
              startsAt: '2030-01-02T11:00:00.000Z',
              endsAt: '2030-01-02T11:30:00.000Z',
              previousStartsAt: '2030-01-02T10:00:00.000Z',
              previousEndsAt: '2030-01-02T10:30:00.000Z',
            },
          },
        ],
      });
  });

  it('cancels the appointment whose booking was cancelled or deleted', () => {
    given(appointment(), booking({ status: 'cancelled' }))
      .whenHealedKeeping('calcom')
      .then({ events: [{ type: 'AppointmentCancelled', data: { appointmentId: 'a1', reason: expect.stringContaining('Cancelled on Cal.com') } }] });
  });

  it('reassigns staff by the booking’s host, and changes service by its event type', () => {
    given(appointment({ staffId: 'hugo', serviceId: 'team', endsAt: '2030-01-02T10:45:00.000Z' }), booking({ hostUserId: 3, eventTypeId: 103, end: '2030-01-02T10:45:00Z' }))
      .whenHealedKeeping('calcom')
      .then({ events: [{ type: 'StaffReassigned', data: { appointmentId: 'a1', staffId: 'rita', previousStaffId: 'hugo' } }] });
    given(appointment(), booking({ eventTypeId: 102, end: '2030-01-02T11:00:00Z' }))
      .whenHealedKeeping('calcom')
      .then({
        events: [
          expect.objectContaining({ type: 'AppointmentRescheduled' }),
          {
            type: 'ServiceChanged',
            data: { appointmentId: 'a1', serviceId: 'assess', previousServiceId: 'consult', endsAt: '2030-01-02T11:00:00.000Z', previousEndsAt: '2030-01-02T11:00:00.000Z' },
          },
        ],
      });
  });

  it('takes over a status only Cal.com sets, and brings a cancelled appointment back when Cal.com still has it', () => {
    given(appointment(), booking({ status: 'rejected' }))
      .whenHealedKeeping('calcom')
      .then({ events: [{ type: 'AppointmentStatusChanged', data: { appointmentId: 'a1', status: 'rejected', previousStatus: 'scheduled', trigger: 'reconciler' } }] });
    given(appointment({ status: 'cancelled' }), booking())
      .whenHealedKeeping('calcom')
      .then({ events: [expect.objectContaining({ type: 'AppointmentStatusChanged', data: expect.objectContaining({ status: 'scheduled', previousStatus: 'cancelled' }) })] });
  });

  it('adds a booking only Cal.com has as a new appointment linked to it', () => {
    given(null, booking({ uid: 'x9', appointmentId: null, start: '2030-02-01T09:00:00Z', end: '2030-02-01T09:45:00Z', hostUserId: 2, eventTypeId: 103 }))
      .whenHealedKeeping('calcom')
      .then({
        appointmentId: 'calcom-x9',
        newAppointment: true,
        expectedRevision: null,
        observe: expect.objectContaining({ uid: 'x9' }),
        events: [
          {
            type: 'AppointmentScheduled',
            data: expect.objectContaining({
              appointmentId: 'calcom-x9',
              staffId: 'hugo',
              serviceId: 'team',
              startsAt: '2030-02-01T09:00:00.000Z',
              endsAt: '2030-02-01T09:45:00.000Z',
              customer: { name: 'Ada', email: 'ada@example.com', timeZone: 'Europe/London', phone: null },
            }),
          },
        ],
      });
  });

  it('follows a broken chain to the booking at its end', () => {
    const calcom = [booking({ status: 'cancelled', rescheduledToUid: 'u2' }), booking({ uid: 'u2', rescheduledFromUid: 'u1', ...moved })];
    const [item] = detectDrift([appointment()], calcom, [chain('a1', 'u1')], catalog, []);
    givenItem(item)
      .whenHealedKeeping('calcom')
      .then({ observe: expect.objectContaining({ uid: 'u2', rescheduledFromUid: 'u1' }), events: [expect.objectContaining({ type: 'AppointmentRescheduled' })] });
  });

  it('refuses what the catalog cannot represent, pending work, and successors it could not read', () => {
    given(null, booking({ uid: 'x9', appointmentId: null, eventTypeId: 999 }))
      .whenHealedKeeping('calcom')
      .thenRefused('catalog cannot represent');
    given(appointment(), booking({ hostUserId: 42 }))
      .whenHealedKeeping('calcom')
      .thenRefused('catalog cannot represent');
    const pending = detectDrift([appointment()], [booking(moved)], [chain('a1', 'u1')], catalog, ['a1']);
    givenItem(pending[0]).whenHealedKeeping('ledger').thenRefused('not drift');
    const unread = detectDrift([appointment()], [booking({ status: 'cancelled', rescheduledToUid: 'u2' })], [chain('a1', 'u1')], catalog, []);
    givenItem(unread[0]).whenHealedKeeping('calcom').thenRefused('check again');
  });
});

describe('automatic healing and its guard', () => {
  const vanished = (count: number): DriftItem[] => {
    const ledger = Array.from({ length: count }, (_, i) => appointment({ appointmentId: `a${i}` }));
    return detectDrift(
      ledger,
      [],
      ledger.map((a, i) => chain(a.appointmentId, `u${i}`)),
      catalog,
      [],
    );
  };

  it('heals nothing under the report policy', () => {
    expect(planAutomaticHeal(vanished(3), 'report', 10, catalog)).toMatchObject({ heal: [], blocked: false });
  });

  it('heals up to the limit of bookings created or cancelled', () => {
    const plan = planAutomaticHeal(vanished(10), 'calcom-wins', 10, catalog);
    expect(plan).toMatchObject({ keep: 'calcom', bookingChanges: 10, blocked: false });
    expect(plan.heal).toHaveLength(10);
  });

  it('stops a pass that would cancel more than the limit, whichever side wins', () => {
    for (const policy of ['calcom-wins', 'ledger-wins'] as const) {
      const plan = planAutomaticHeal(vanished(11), policy, 10, catalog);
      expect(plan).toMatchObject({ bookingChanges: 11, blocked: true, heal: [] });
    }
  });

  it('does not count changes that move a booking, and heals each appointment once', () => {
    const ledger = Array.from({ length: 12 }, (_, i) => appointment({ appointmentId: `a${i}`, staffId: 'hugo', serviceId: 'team', endsAt: '2030-01-02T10:45:00.000Z' }));
    const calcom = ledger.map((a, i) => booking({ uid: `u${i}`, appointmentId: a.appointmentId, hostUserId: 3, eventTypeId: 103, ...moved, end: '2030-01-02T11:45:00Z' }));
    const items = detectDrift(
      ledger,
      calcom,
      ledger.map((a, i) => chain(a.appointmentId, `u${i}`)),
      catalog,
      [],
    );
    expect(items).toHaveLength(24);
    const plan = planAutomaticHeal(items, 'calcom-wins', 10, catalog);
    expect(plan).toMatchObject({ bookingChanges: 0, blocked: false });
    expect(plan.heal).toHaveLength(12);
    expect(plan.heal[0].steps.events.map((event) => event.type)).toEqual(['AppointmentRescheduled', 'StaffReassigned']);
  });
});
