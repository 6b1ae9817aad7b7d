import { detectDrift } from '../../src/drift/detect-drift.js';
import type { CalcomBookingLevel, DriftItem, LedgerAppointmentLevel, UidChain } from '../../src/drift/drift.types.js';
import { appointment, booking, catalog, chain } from './drift-fixtures.js';

interface World {
  ledger?: LedgerAppointmentLevel[];
  calcom?: CalcomBookingLevel[];
  chains?: UidChain[];
  pending?: string[];
}

/** Given both sides, when the detector compares them, then exactly these items (kind and key fields) come out. */
const given = (world: World) => ({
  whenCompared() {
    const items = detectDrift(world.ledger ?? [], world.calcom ?? [], world.chains ?? [], catalog, world.pending ?? []);
    return {
      items,
      thenNoDrift(): void {
        expect(items).toEqual([]);
      },
      then(expected: Partial<DriftItem>[]): DriftItem[] {
        expect(items).toEqual(expected.map((fields) => expect.objectContaining(fields)));
        return items;
      },
    };
  },
});

describe('detectDrift', () => {
  it('finds nothing when every level agrees, whatever the time format', () => {
    given({ ledger: [appointment()], calcom: [booking()], chains: [chain('a1', 'u1')] })
      .whenCompared()
      .thenNoDrift();
  });

  it('finds nothing for a cancelled appointment whose booking is cancelled or gone', () => {
    given({ ledger: [appointment({ status: 'cancelled' })], calcom: [booking({ status: 'cancelled' })], chains: [chain('a1', 'u1')] })
      .whenCompared()
      .thenNoDrift();
    given({ ledger: [appointment({ status: 'cancelled' })], calcom: [], chains: [chain('a1', 'u1')] })
      .whenCompared()
      .thenNoDrift();
  });

  it('accepts the old links of a chain as cancelled, and follows nothing the ledger already knows', () => {
    const old = booking({ uid: 'u0', status: 'cancelled', rescheduledToUid: 'u1', start: '2030-01-01T09:00:00Z', end: '2030-01-01T09:30:00Z' });
    given({ ledger: [appointment()], calcom: [old, booking({ rescheduledFromUid: 'u0' })], chains: [chain('a1', 'u0', 'u1')] })
      .whenCompared()
      .thenNoDrift();
  });

  describe('missing_in_calcom', () => {
    it('when the current booking was deleted on Cal.com', () => {
      const [item] = given({ ledger: [appointment()], calcom: [], chains: [chain('a1', 'u1')] })
        .whenCompared()
        .then([{ kind: 'missing_in_calcom', id: 'missing_in_calcom:a1', appointmentId: 'a1', bookingUid: 'u1', calcom: null }]);
      expect(item.ledger).toMatchObject({ status: 'scheduled', bookingUid: 'u1', expectedHostUserId: 1, expectedEventTypeId: 101 });
    });

    it('when the booking was cancelled on Cal.com behind the ledger', () => {
      given({ ledger: [appointment()], calcom: [booking({ status: 'cancelled' })], chains: [chain('a1', 'u1')] })
        .whenCompared()
        .then([{ kind: 'missing_in_calcom', bookingUid: 'u1', differences: ['status'], calcom: expect.objectContaining({ status: 'cancelled' }) }]);
    });

    it('when an active appointment was never booked', () => {
      given({ ledger: [appointment()] })
        .whenCompared()
        .then([{ kind: 'missing_in_calcom', bookingUid: null, ledger: expect.objectContaining({ bookingUids: [] }) }]);
    });
  });

  describe('missing_in_ledger', () => {
    it('when Cal.com has an active booking no appointment knows', () => {
      given({ calcom: [booking({ uid: 'x9', appointmentId: null })] })
        .whenCompared()
        .then([{ kind: 'missing_in_ledger', id: 'missing_in_ledger:x9', appointmentId: null, bookingUid: 'x9', ledger: null }]);
    });

    it('but not for cancelled bookings nobody knows', () => {
      given({ calcom: [booking({ uid: 'x9', appointmentId: null, status: 'cancelled' })] })
        .whenCompared()
        .thenNoDrift();
    });
  });

  it('time_mismatch with both sides when the booking moved silently', () => {
    const [item] = given({ ledger: [appointment()], calcom: [booking({ start: '2030-01-02T11:00:00Z', end: '2030-01-02T11:30:00Z' })], chains: [chain('a1', 'u1')] })
      .whenCompared()
      .then([{ kind: 'time_mismatch', differences: ['start', 'end'] }]);
    expect(item.ledger).toMatchObject({ startsAt: '2030-01-02T10:00:00.000Z', endsAt: '2030-01-02T10:30:00.000Z' });
    expect(item.calcom).toMatchObject({ start: '2030-01-02T11:00:00Z', end: '2030-01-02T11:30:00Z' });
  });

  describe('status_mismatch', () => {
    it('when the ledger cancelled and Cal.com still has it accepted', () => {
      given({ ledger: [appointment({ status: 'cancelled' })], calcom: [booking()], chains: [chain('a1', 'u1')] })
        .whenCompared()
        .then([
          {
            kind: 'status_mismatch',
            ledger: expect.objectContaining({ status: 'cancelled', expectedStatus: 'cancelled' }),
            calcom: expect.objectContaining({ status: 'accepted' }),
          },
        ]);
    });

    it('when both are active but one awaits confirmation, and other differences still count', () => {
      given({ ledger: [appointment()], calcom: [booking({ status: 'pending', hostUserId: 2 })], chains: [chain('a1', 'u1')] })
        .whenCompared()
        .then([{ kind: 'status_mismatch' }, { kind: 'host_mismatch' }]);
    });

    it('but a no-show or completed appointment is still an accepted booking', () => {
      for (const status of ['no_show', 'completed']) {
        given({ ledger: [appointment({ status })], calcom: [booking()], chains: [chain('a1', 'u1')] })
          .whenCompared()
          .thenNoDrift();
      }
    });
  });

  it('host_mismatch when the host changed in place', () => {
    given({
      ledger: [appointment({ staffId: 'hugo', serviceId: 'team', endsAt: '2030-01-02T10:45:00.000Z' })],
      calcom: [booking({ hostUserId: 3, eventTypeId: 103, end: '2030-01-02T10:45:00Z' })],
      chains: [chain('a1', 'u1')],
    })
      .whenCompared()
      .then([
        { kind: 'host_mismatch', differences: ['hostUserId'], calcom: expect.objectContaining({ hostUserId: 3 }), ledger: expect.objectContaining({ expectedHostUserId: 2 }) },
      ]);
  });

  it('event_type_mismatch when the booking is of another service', () => {
    given({ ledger: [appointment()], calcom: [booking({ eventTypeId: 102 })], chains: [chain('a1', 'u1')] })
      .whenCompared()
      .then([{ kind: 'event_type_mismatch', ledger: expect.objectContaining({ expectedEventTypeId: 101 }), calcom: expect.objectContaining({ eventTypeId: 102 }) }]);
  });

  describe('broken_chain', () => {
    it('when the current uid was rescheduled on to a booking the ledger never heard of', () => {
      const moved = booking({ uid: 'u2', rescheduledFromUid: 'u1', start: '2030-01-03T10:00:00Z', end: '2030-01-03T10:30:00Z' });
      given({ ledger: [appointment()], calcom: [booking({ status: 'cancelled', rescheduledToUid: 'u2' }), moved], chains: [chain('a1', 'u1')] })
        .whenCompared()
        .then([{ kind: 'broken_chain', bookingUid: 'u2', calcom: expect.objectContaining({ uid: 'u2', path: ['u1', 'u2'], start: '2030-01-03T10:00:00Z' }) }]);
    });

    it('follows several links, and names a successor it could not read', () => {
      const calcom = [booking({ status: 'cancelled', rescheduledToUid: 'u2' }), booking({ uid: 'u2', status: 'cancelled', rescheduledFromUid: 'u1', rescheduledToUid: 'u3' })];
      given({ ledger: [appointment()], calcom, chains: [chain('a1', 'u1')] })
        .whenCompared()
        .then([{ kind: 'broken_chain', bookingUid: 'u3', calcom: expect.objectContaining({ uid: 'u3', status: 'unknown', path: ['u1', 'u2', 'u3'] }) }]);
    });

    it('finds the successor by its rescheduledFromUid when the old booking does not link on', () => {
      given({ ledger: [appointment()], calcom: [booking({ status: 'cancelled' }), booking({ uid: 'u2', rescheduledFromUid: 'u1' })], chains: [chain('a1', 'u1')] })
        .whenCompared()
        .then([{ kind: 'broken_chain', bookingUid: 'u2' }]);
    });

    it('when the ledger holds no uid but Cal.com has a booking made for the appointment', () => {
      given({ ledger: [appointment()], calcom: [booking({ uid: 'lost' })] })
        .whenCompared()
        .then([{ kind: 'broken_chain', bookingUid: 'lost', ledger: expect.objectContaining({ bookingUid: null }) }]);
    });
  });

  describe('unmapped', () => {
    it('when an unknown booking has a host or event type the catalog does not know', () => {
      given({ calcom: [booking({ uid: 'x9', appointmentId: null, eventTypeId: 999 })] })
        .whenCompared()
        .then([{ kind: 'unmapped', bookingUid: 'x9', ledger: null }]);
    });

    it('when a known booking moved to an unknown host', () => {
      given({ ledger: [appointment()], calcom: [booking({ hostUserId: 42 })], chains: [chain('a1', 'u1')] })
        .whenCompared()
        .then([{ kind: 'unmapped', differences: ['catalog'], summary: expect.stringContaining('host 42') }]);
    });

    it('when the ledger staff member has no Cal.com user', () => {
      given({ ledger: [appointment({ staffId: 'newbie' })], calcom: [booking()], chains: [chain('a1', 'u1')] })
        .whenCompared()
        .then([{ kind: 'unmapped', summary: expect.stringContaining('staff newbie has no Cal.com user') }]);
    });
  });

  describe('pending', () => {
    it('reports an appointment the sync is still working on as pending, with what differs', () => {
      given({ ledger: [appointment()], calcom: [booking({ start: '2030-01-02T11:00:00Z', end: '2030-01-02T11:30:00Z' })], chains: [chain('a1', 'u1')], pending: ['a1'] })
        .whenCompared()
        .then([{ kind: 'pending', id: 'pending:a1', appointmentId: 'a1', differences: ['time_mismatch'] }]);
    });

    it('and says nothing about a pending appointment that already matches', () => {
      given({ ledger: [appointment()], calcom: [booking()], chains: [chain('a1', 'u1')], pending: ['a1'] })
        .whenCompared()
        .thenNoDrift();
    });

    it('also for a booking made for a pending appointment whose chain does not hold it yet', () => {
      given({ ledger: [], calcom: [booking({ uid: 'u7' })], pending: ['a1'] })
        .whenCompared()
        .then([{ kind: 'pending', appointmentId: 'a1', bookingUid: 'u7', differences: ['missing_in_ledger'] }]);
    });
  });

  it('leaves a booking linked to an appointment it was not given to that appointment’s own check', () => {
    given({ calcom: [booking({ uid: 'u2', rescheduledFromUid: 'u1', appointmentId: null })], chains: [chain('a1', 'u1')] })
      .whenCompared()
      .thenNoDrift();
  });

  it('orders items by kind, then id, so reports compare line by line', () => {
    const items = detectDrift(
      [appointment({ appointmentId: 'b' }), appointment({ appointmentId: 'a', startsAt: '2030-01-05T10:00:00.000Z', endsAt: '2030-01-05T10:30:00.000Z' })],
      [booking({ uid: 'ub', appointmentId: 'b', eventTypeId: 102 }), booking({ uid: 'ua', appointmentId: 'a' }), booking({ uid: 'zz', appointmentId: null })],
      [chain('a', 'ua'), chain('b', 'ub')],
      catalog,
      [],
    );
    expect(items.map((item) => item.id)).toEqual(['missing_in_ledger:zz', 'time_mismatch:a', 'event_type_mismatch:b']);
  });
});
