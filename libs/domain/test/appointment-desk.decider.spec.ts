import { appointmentDecider, initialState, notSyncedWithCalcom, evolve } from '../src/appointment/appointment.decider.js';
import type { AppointmentCommand } from '../src/appointment/appointment.commands.js';
import type { AppointmentEvent } from '../src/appointment/appointment.events.js';
import { calcomSyncWorkflow } from '../src/sync/calcom-sync.workflow.js';
import type { BookingCopy } from '../src/sync/calcom-sync.events.js';
import { initialCalcomSyncState } from '../src/sync/calcom-sync.state.js';
import { appointmentScheduled, bookingCopy, START } from './support/calcom-sync-fixtures.js';
import { deciderSpecification } from './support/decider-specification.js';
import { workflowSpecification } from './support/workflow-specification.js';

/** Issue 12, items 1-4: the desk's actions in the appointment decider, and what the Cal.com sync makes of them. */
const given = deciderSpecification<AppointmentCommand, ReturnType<typeof initialState>, AppointmentEvent>(appointmentDecider);

const BEFORE = '2030-01-02T09:59:59.000Z';
const AFTER = '2030-01-02T10:20:00.000Z';
const customer = { name: 'Ada Lovelace', email: 'ada@example.com', timeZone: 'Europe/London', phone: null };
const scheduled = appointmentScheduled({ customer });
const requested: AppointmentEvent = {
  type: 'AppointmentStatusChanged',
  data: { appointmentId: 'a1', status: 'requested', previousStatus: 'scheduled', trigger: 'BOOKING_REQUESTED' },
};
const cancelled: AppointmentEvent = { type: 'AppointmentCancelled', data: { appointmentId: 'a1', reason: 'ill' } };
const confirmed: AppointmentEvent = { type: 'AppointmentConfirmed', data: { appointmentId: 'a1' } };
const declined: AppointmentEvent = { type: 'AppointmentDeclined', data: { appointmentId: 'a1', reason: 'fully booked' } };
const noShow: AppointmentEvent = { type: 'NoShowMarked', data: { appointmentId: 'a1', previousStatus: 'scheduled' } };
const checkedIn: AppointmentEvent = { type: 'CustomerCheckedIn', data: { appointmentId: 'a1', at: BEFORE } };

const confirm: AppointmentCommand = { type: 'ConfirmAppointment', data: { appointmentId: 'a1' } };
const decline = (reason: string | null = 'fully booked'): AppointmentCommand => ({ type: 'DeclineAppointment', data: { appointmentId: 'a1', reason } });
const markNoShow = (absent: boolean, now = AFTER): AppointmentCommand => ({ type: 'MarkNoShow', data: { appointmentId: 'a1', absent, now } });
const checkIn: AppointmentCommand = { type: 'CheckIn', data: { appointmentId: 'a1', now: BEFORE } };
const complete: AppointmentCommand = { type: 'CompleteAppointment', data: { appointmentId: 'a1', now: AFTER } };
const contact = (data: Partial<Extract<AppointmentCommand, { type: 'ChangeContactDetails' }>['data']>): AppointmentCommand => ({
  type: 'ChangeContactDetails',
  data: { appointmentId: 'a1', customer: {}, ...data },
});

describe('confirm and decline', () => {
  it('confirm makes a requested appointment scheduled; a repeat changes nothing', () => {
    given([scheduled, requested]).when(confirm).then([confirmed]);
    given([scheduled, requested, confirmed]).when(confirm).thenNothingHappens();
  });

  it('decline makes it rejected with the reason; a repeat changes nothing', () => {
    given([scheduled, requested]).when(decline()).then([declined]);
    given([scheduled, requested, declined]).when(decline()).thenNothingHappens();
  });

  it('refuses both when nothing waits for the host (409 APPOINTMENT_STATUS_CONFLICT), and a cancelled appointment', () => {
    given([scheduled])
      .when(confirm)
      .thenThrows('APPOINTMENT_STATUS_CONFLICT', { status: 'scheduled', action: 'confirm', allowedFrom: ['requested'] });
    given([scheduled, requested, declined]).when(confirm).thenThrows('APPOINTMENT_STATUS_CONFLICT', { status: 'rejected' });
    given([scheduled, requested, confirmed]).when(decline()).thenThrows('APPOINTMENT_STATUS_CONFLICT', { status: 'scheduled', action: 'decline' });
    given([scheduled, requested, cancelled]).when(confirm).thenThrows('APPOINTMENT_CANCELLED');
    given([]).when(confirm).thenThrows('NOT_FOUND');
  });

  it('a new request from Cal.com after a confirm needs confirming again', () => {
    given([scheduled, requested, confirmed, requested]).when(confirm).then([confirmed]);
  });
});

describe('no-show', () => {
  it('after the start: marked, and taken back to the status it had', () => {
    given([scheduled]).when(markNoShow(true)).then([noShow]);
    given([scheduled, noShow])
      .when(markNoShow(false))
      .then([{ type: 'NoShowUndone', data: { appointmentId: 'a1', status: 'scheduled' } }]);
    given([scheduled, checkedIn])
      .when(markNoShow(true))
      .then([{ type: 'NoShowMarked', data: { appointmentId: 'a1', previousStatus: 'arrived' } }]);
    given([scheduled, checkedIn, { type: 'NoShowMarked', data: { appointmentId: 'a1', previousStatus: 'arrived' } }])
      .when(markNoShow(false))
      .then([{ type: 'NoShowUndone', data: { appointmentId: 'a1', status: 'arrived' } }]);
  });

  it('a repeat, or taking back what is not a no-show, changes nothing', () => {
    given([scheduled, noShow]).when(markNoShow(true)).thenNothingHappens();
    given([scheduled]).when(markNoShow(false)).thenNothingHappens();
  });

  it('before the start: 409 APPOINTMENT_NOT_STARTED, at the very start it is allowed', () => {
    given([scheduled]).when(markNoShow(true, BEFORE)).thenThrows('APPOINTMENT_NOT_STARTED', { startsAt: START, now: BEFORE });
    given([scheduled]).when(markNoShow(true, START)).then([noShow]);
  });

  it('refuses a requested, rejected or cancelled appointment', () => {
    given([scheduled, requested]).when(markNoShow(true)).thenThrows('APPOINTMENT_STATUS_CONFLICT', { status: 'requested', action: 'no-show' });
    given([scheduled, requested, declined]).when(markNoShow(true)).thenThrows('APPOINTMENT_STATUS_CONFLICT', { status: 'rejected' });
    given([scheduled, cancelled]).when(markNoShow(true)).thenThrows('APPOINTMENT_CANCELLED');
  });
});

describe('check-in and complete (ledger-only)', () => {
  it('check-in makes it arrived; complete makes it completed from scheduled or arrived; repeats change nothing', () => {
    given([scheduled]).when(checkIn).then([checkedIn]);
    given([scheduled, checkedIn]).when(checkIn).thenNothingHappens();
    given([scheduled, checkedIn])
      .when(complete)
      .then([{ type: 'AppointmentCompleted', data: { appointmentId: 'a1', at: AFTER, previousStatus: 'arrived' } }]);
    given([scheduled])
      .when(complete)
      .then([{ type: 'AppointmentCompleted', data: { appointmentId: 'a1', at: AFTER, previousStatus: 'scheduled' } }]);
    const ended: AppointmentEvent = { type: 'AppointmentStatusChanged', data: { appointmentId: 'a1', status: 'completed', previousStatus: 'scheduled', trigger: 'MEETING_ENDED' } };
    given([scheduled, ended]).when(complete).thenNothingHappens();
  });

  it('refuses a check-in of a requested or no-show appointment, a completion of a requested one', () => {
    given([scheduled, requested])
      .when(checkIn)
      .thenThrows('APPOINTMENT_STATUS_CONFLICT', { status: 'requested', action: 'check-in', allowedFrom: ['scheduled'] });
    given([scheduled, noShow]).when(checkIn).thenThrows('APPOINTMENT_STATUS_CONFLICT', { status: 'no_show' });
    given([scheduled, requested])
      .when(complete)
      .thenThrows('APPOINTMENT_STATUS_CONFLICT', { allowedFrom: ['scheduled', 'arrived'] });
    given([scheduled, cancelled]).when(complete).thenThrows('APPOINTMENT_CANCELLED');
  });

  it("the appointment says the status is not Cal.com's to know", () => {
    const fold = (events: AppointmentEvent[]) => events.reduce(evolve, initialState());
    expect(notSyncedWithCalcom(fold([scheduled, checkedIn]) as never)).toEqual(['status']);
    expect(notSyncedWithCalcom(fold([scheduled]) as never)).toEqual([]);
  });
});

describe('contact details and notes', () => {
  it('changes only the fields given and names them; null clears the phone and the notes', () => {
    given([scheduled])
      .when(contact({ customer: { email: 'ada@new.example', phone: '+44 1' }, notes: 'likes tea' }))
      .then([
        {
          type: 'ContactDetailsChanged',
          data: {
            appointmentId: 'a1',
            customer: { ...customer, email: 'ada@new.example', phone: '+44 1' },
            notes: 'likes tea',
            changed: ['customer.email', 'customer.phone', 'notes'],
          },
        },
      ]);
    const withPhone: AppointmentEvent = {
      type: 'ContactDetailsChanged',
      data: { appointmentId: 'a1', customer: { ...customer, phone: '+44 1' }, notes: 'x', changed: ['customer.phone', 'notes'] },
    };
    given([scheduled, withPhone])
      .when(contact({ customer: { phone: null }, notes: null }))
      .then([{ type: 'ContactDetailsChanged', data: { appointmentId: 'a1', customer, notes: null, changed: ['customer.phone', 'notes'] } }]);
  });

  it('the same values again change nothing; a cancelled appointment is refused', () => {
    given([scheduled])
      .when(contact({ customer: { name: customer.name }, notes: null }))
      .thenNothingHappens();
    given([scheduled, cancelled])
      .when(contact({ notes: 'x' }))
      .thenThrows('APPOINTMENT_CANCELLED');
  });

  it('the appointment keeps every field Cal.com was not told', () => {
    const changed = (fields: ('customer.email' | 'notes')[]): AppointmentEvent => ({
      type: 'ContactDetailsChanged',
      data: { appointmentId: 'a1', customer, notes: null, changed: fields },
    });
    const state = [scheduled, changed(['customer.email']), changed(['notes', 'customer.email'])].reduce(evolve, initialState());
    expect(notSyncedWithCalcom(state as never)).toEqual(['customer.email', 'notes']);
  });
});

describe('the Cal.com sync of the desk actions', () => {
  const booking = bookingCopy;
  const sync = workflowSpecification(calcomSyncWorkflow);
  /** Given the booking as the sync last saw it, synced up to the change before the last, when it decides after these events. */
  const syncAfter = (events: AppointmentEvent[], seen: BookingCopy) =>
    sync({ ...initialCalcomSyncState(), chain: [seen.uid], booking: seen, syncedVersion: events.length - 1 }).when({
      appointmentId: 'a1',
      appointment: events.reduce(evolve, initialState()),
      ledgerVersion: events.length,
      ledgerChangedVersion: events.length,
      target: { eventTypeId: 101, hostUserId: 1, serviceId: 'cut', staffId: 'sam' },
      bookingEventTypeScheduling: 'not-round-robin',
      inFlightNotApplied: false,
      newOperationId: 'op-new',
      now: AFTER,
    });

  it('confirm → Cal.com confirm; decline → Cal.com decline with the reason', () => {
    syncAfter([scheduled, requested, confirmed], booking({ status: 'pending' })).thenMatches({ kind: 'call', call: { operation: 'confirm', bookingUid: 'uid-1', request: {} } });
    syncAfter([scheduled, requested, declined], booking({ status: 'pending' })).thenMatches({ kind: 'call', call: { operation: 'decline', request: { reason: 'fully booked' } } });
  });

  it('a booking the ledger made pending is not confirmed without the desk', () => {
    syncAfter([scheduled, checkedIn], booking({ status: 'pending' })).thenMatches({ kind: 'complete' });
  });

  it('no-show → mark-absent true; taken back → mark-absent false; done on Cal.com → complete', () => {
    syncAfter([scheduled, noShow], booking()).thenMatches({ kind: 'call', call: { operation: 'mark-absent', request: { absent: true } } });
    const undone: AppointmentEvent = { type: 'NoShowUndone', data: { appointmentId: 'a1', status: 'scheduled' } };
    syncAfter([scheduled, noShow, undone], booking({ attendeeAbsent: true })).thenMatches({ kind: 'call', call: { operation: 'mark-absent', request: { absent: false } } });
    syncAfter([scheduled, noShow], booking({ attendeeAbsent: true })).thenMatches({ kind: 'complete' });
  });

  it('check-in, complete and contact changes make no call', () => {
    const contactChanged: AppointmentEvent = { type: 'ContactDetailsChanged', data: { appointmentId: 'a1', customer, notes: 'x', changed: ['notes'] } };
    for (const events of [
      [scheduled, checkedIn],
      [scheduled, checkedIn, { type: 'AppointmentCompleted', data: { appointmentId: 'a1', at: AFTER, previousStatus: 'arrived' } }],
      [scheduled, contactChanged],
    ] as AppointmentEvent[][]) {
      syncAfter(events, booking()).thenMatches({ kind: 'complete' });
    }
  });
});
