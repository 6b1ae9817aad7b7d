import { evolve, initialState } from '../src/appointment/appointment.decider.js';
import type { AppointmentEvent } from '../src/appointment/appointment.events.js';
import type { BookingCopy, CalcomSyncEvent } from '../src/sync/calcom-sync.events.js';
import { evolveCalcomSync, initialCalcomSyncState } from '../src/sync/calcom-sync.state.js';
import { calcomWebhookWorkflow } from '../src/sync/calcom-webhook.workflow.js';
import type { CatalogLookup } from '../src/sync/calcom-webhook.mapping.js';
import { parseCalcomWebhook } from '../src/sync/calcom-webhook.parser.js';
import { appointmentScheduled, bookingCopy } from './support/calcom-sync-fixtures.js';
import { workflowSpecification } from './support/workflow-specification.js';

/**
 * Issue 12: the webhooks Cal.com sends after the sync's own confirm, decline and mark-absent are echoes, also when
 * they arrive before the sync has recorded Cal.com's answer, and a late one never undoes a newer ledger change.
 */
const catalog: CatalogLookup = { staff: [{ staffId: 'sam', email: 'sam@salon.example', calcomUserId: 1 }], services: [{ serviceId: 'cut', calcomEventTypeIds: { sam: 101 } }] };
const customer = { name: 'Ann Lee', email: 'ann@example.com', timeZone: 'Europe/Berlin', phone: null };
const T10 = '2030-01-02T10:00:00.000Z';
const T1030 = '2030-01-02T10:30:00.000Z';
const scheduled = appointmentScheduled({ customer });
const requested: AppointmentEvent = {
  type: 'AppointmentStatusChanged',
  data: { appointmentId: 'a1', status: 'requested', previousStatus: 'scheduled', trigger: 'BOOKING_REQUESTED' },
};
const noShow: AppointmentEvent = { type: 'NoShowMarked', data: { appointmentId: 'a1', previousStatus: 'scheduled' } };
const undone: AppointmentEvent = { type: 'NoShowUndone', data: { appointmentId: 'a1', status: 'scheduled' } };
const booking = (overrides: Partial<BookingCopy> = {}) => bookingCopy({ uid: 'u1', ...overrides });
const seen = (snapshot: BookingCopy): CalcomSyncEvent[] => [
  { type: 'CalcomBookingObserved', data: { appointmentId: 'a1', booking: snapshot, via: 'webhook', factId: null } },
  { type: 'CalcomSyncCompleted', data: { appointmentId: 'a1', ledgerVersion: 1, bookingUid: 'u1' } },
];
const started = (operation: 'confirm' | 'mark-absent', request: Record<string, unknown>): CalcomSyncEvent => ({
  type: 'CalcomOperationStarted',
  data: { appointmentId: 'a1', operationId: 'op2', operation, bookingUid: 'u1', request, ledgerVersion: 3 },
});
const markedAbsent = (absent: boolean): CalcomSyncEvent => ({
  type: 'CalcomOperationSucceeded',
  data: { appointmentId: 'a1', operationId: 'op2', operation: 'mark-absent', booking: booking({ attendeeAbsent: absent }), alreadyDone: false },
});

function webhook(triggerEvent: string, payload: Record<string, unknown>) {
  const result = parseCalcomWebhook(JSON.stringify({ triggerEvent, createdAt: '2030-01-02T11:00:00Z', payload }), 'application/json');
  if (!result.ok) throw new Error(result.reason);
  return result.webhook;
}
const noShowUpdated = (noShowFlag: boolean) =>
  webhook('BOOKING_NO_SHOW_UPDATED', { message: 'x', attendees: [{ email: customer.email, noShow: noShowFlag }], bookingUid: 'u1', bookingId: 7 });
const bookingEvent = (trigger: 'BOOKING_REQUESTED' | 'BOOKING_CREATED' | 'BOOKING_REJECTED', status: string) =>
  webhook(trigger, {
    uid: 'u1',
    startTime: T10,
    endTime: T1030,
    eventTypeId: 101,
    organizer: { id: 1 },
    attendees: [{ name: customer.name, email: customer.email, timeZone: customer.timeZone }],
    status,
  });

const spec = workflowSpecification(calcomWebhookWorkflow);
function given(events: AppointmentEvent[], syncEvents: CalcomSyncEvent[]) {
  const appointment = events.reduce(evolve, initialState());
  const sync = syncEvents.reduce((state, event) => evolveCalcomSync(state, event, '2030-01-02T11:00:00.000Z'), initialCalcomSyncState());
  if (appointment.status === 'initial') throw new Error('an appointment is needed');
  const target = { appointmentId: 'a1', appointment, version: events.length, ledgerChangedVersion: events.length, sync };
  return { when: (fact: ReturnType<typeof webhook>) => spec(target).when({ factId: 'f1', webhook: fact, catalog, newAppointmentId: 'new-1', conflictId: 'c1', policy: 'manual' }) };
}

describe('confirm and decline', () => {
  it("the confirm's BOOKING_CREATED while the sync's call is in flight is an echo", () => {
    given([scheduled, requested, { type: 'AppointmentConfirmed', data: { appointmentId: 'a1' } }], [...seen(booking({ status: 'pending' })), started('confirm', {})])
      .when(bookingEvent('BOOKING_CREATED', 'ACCEPTED'))
      .thenMatches({ outcome: 'echo', appointmentEvents: [] });
  });

  it('the original BOOKING_REQUESTED delivered after the ledger confirmed is an echo, not a step back to requested', () => {
    given([scheduled, requested, { type: 'AppointmentConfirmed', data: { appointmentId: 'a1' } }], seen(booking({ status: 'pending' })))
      .when(bookingEvent('BOOKING_REQUESTED', 'PENDING'))
      .thenMatches({ outcome: 'echo', appointmentEvents: [] });
  });

  it("the decline's BOOKING_REJECTED is an echo", () => {
    given([scheduled, requested, { type: 'AppointmentDeclined', data: { appointmentId: 'a1', reason: null } }], seen(booking({ status: 'pending' })))
      .when(bookingEvent('BOOKING_REJECTED', 'REJECTED'))
      .thenMatches({ outcome: 'echo', appointmentEvents: [] });
  });

  it('without the ledger confirming, a BOOKING_REQUESTED still makes a scheduled appointment requested (the check can fail)', () => {
    given([scheduled], seen(booking({ status: 'pending' })))
      .when(bookingEvent('BOOKING_REQUESTED', 'PENDING'))
      .thenMatches({ outcome: 'applied', appointmentEvents: [{ type: 'AppointmentStatusChanged', data: { status: 'requested' } }] });
  });
});

describe('no-show', () => {
  it("the mark-absent's BOOKING_NO_SHOW_UPDATED is an echo, in flight or recorded", () => {
    given([scheduled, noShow], [...seen(booking()), started('mark-absent', { absent: true })])
      .when(noShowUpdated(true))
      .thenMatches({ outcome: 'echo', appointmentEvents: [] });
    given([scheduled, noShow], [...seen(booking()), started('mark-absent', { absent: true }), markedAbsent(true)])
      .when(noShowUpdated(true))
      .thenMatches({ outcome: 'echo' });
  });

  it('a late no-show webhook from our first call does not undo the ledger taking it back since', () => {
    given([scheduled, noShow, undone], [...seen(booking()), started('mark-absent', { absent: true }), markedAbsent(true)])
      .when(noShowUpdated(true))
      .thenMatches({ outcome: 'echo', appointmentEvents: [] });
  });

  it("a no-show marked on Cal.com itself is applied, and the sync learns the attendee's flag so it does not mark it again", () => {
    given([scheduled], seen(booking()))
      .when(noShowUpdated(true))
      .then((result) => {
        expect(result).toMatchObject({ outcome: 'applied', appointmentEvents: [{ type: 'AppointmentStatusChanged', data: { status: 'no_show' } }] });
        expect(result.syncEvents).toEqual([
          { type: 'CalcomBookingObserved', data: { appointmentId: 'a1', booking: booking({ attendeeAbsent: true }), via: 'webhook', factId: 'f1' } },
        ]);
      });
  });

  it('a webhook without the flag keeps what the sync knew of the attendee', () => {
    const sync = [...seen(booking()), started('mark-absent', { absent: true }), markedAbsent(true), ...seen(booking({ status: 'accepted' }))].reduce(
      (state, event) => evolveCalcomSync(state, event, '2030-01-02T11:00:00.000Z'),
      initialCalcomSyncState(),
    );
    expect(sync.booking?.attendeeAbsent).toBe(true);
  });
});

describe('check-in and check-out', () => {
  const checkedIn: AppointmentEvent = { type: 'CustomerCheckedIn', data: { appointmentId: 'a1', at: T10 } };
  const completed: AppointmentEvent = { type: 'AppointmentCompleted', data: { appointmentId: 'a1', at: T1030, previousStatus: 'arrived' } };

  it("Cal.com's MEETING_ENDED completes a checked-in appointment, and is an echo once the desk checked the customer out", () => {
    given([scheduled, checkedIn], seen(booking()))
      .when(webhook('MEETING_ENDED', { uid: 'u1' }))
      .thenMatches({
        outcome: 'applied',
        appointmentEvents: [{ type: 'AppointmentStatusChanged', data: { status: 'completed', previousStatus: 'arrived', trigger: 'MEETING_ENDED' } }],
      });
    given([scheduled, checkedIn, completed], seen(booking()))
      .when(webhook('MEETING_ENDED', { uid: 'u1' }))
      .thenMatches({ outcome: 'echo', appointmentEvents: [] });
  });
});
