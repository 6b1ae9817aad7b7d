import { evolve, initialState } from '../src/appointment/appointment.decider.js';
import type { AppointmentEvent } from '../src/appointment/appointment.events.js';
import type { BookingCopy, CalcomSyncEvent } from '../src/sync/calcom-sync.events.js';
import { evolveCalcomSync, initialCalcomSyncState } from '../src/sync/calcom-sync.state.js';
import type { ConflictPolicy } from '../src/sync/calcom-conflict.js';
import { calcomWebhookWorkflow } from '../src/sync/calcom-webhook.workflow.js';
import type { CatalogLookup } from '../src/sync/calcom-webhook.mapping.js';
import { type CalcomWebhook, parseCalcomWebhook } from '../src/sync/calcom-webhook.parser.js';
import { appointmentScheduled, bookingCopy } from './support/calcom-sync-fixtures.js';
import { workflowSpecification } from './support/workflow-specification.js';

/** Given the appointment's history (with who made each change) and the sync's, when a webhook arrives, then … */
const catalog: CatalogLookup = {
  staff: [
    { staffId: 'sam', email: 'sam@salon.example', calcomUserId: 1 },
    { staffId: 'kim', email: 'kim@salon.example', calcomUserId: 2 },
  ],
  services: [
    { serviceId: 'cut', calcomEventTypeIds: { sam: 101, kim: 103 } },
    { serviceId: 'colour', calcomEventTypeIds: { sam: 102 } },
  ],
};
const customer = { name: 'Ann Lee', email: 'ann@example.com', timeZone: 'Europe/Berlin', phone: null };
const T10 = '2030-01-02T10:00:00.000Z';
const T1030 = '2030-01-02T10:30:00.000Z';
const T15 = '2030-01-03T15:00:00.000Z';
const T1530 = '2030-01-03T15:30:00.000Z';
const scheduled = appointmentScheduled({ customer });
const booking = (uid: string, overrides: Partial<BookingCopy> = {}) => bookingCopy({ uid, ...overrides });
const linked: CalcomSyncEvent[] = [
  { type: 'CalcomOperationStarted', data: { appointmentId: 'a1', operationId: 'op1', operation: 'create', bookingUid: null, request: {}, ledgerVersion: 1 } },
  { type: 'CalcomOperationSucceeded', data: { appointmentId: 'a1', operationId: 'op1', operation: 'create', booking: booking('u1'), alreadyDone: false } },
  { type: 'CalcomSyncCompleted', data: { appointmentId: 'a1', ledgerVersion: 1, bookingUid: 'u1' } },
];

function webhook(triggerEvent: string, payload: Record<string, unknown>) {
  const result = parseCalcomWebhook(JSON.stringify({ triggerEvent, createdAt: '2030-01-01T00:00:00Z', payload }), 'application/json');
  if (!result.ok) throw new Error(result.reason);
  return result.webhook;
}
const created = (overrides: Record<string, unknown> = {}) =>
  webhook('BOOKING_CREATED', {
    uid: 'u9',
    startTime: '2030-01-02T10:00:00Z',
    endTime: '2030-01-02T10:30:00Z',
    eventTypeId: 101,
    organizer: { id: 1, email: 'olivia@sandbox.example' },
    attendees: [{ name: 'Ann Lee', email: 'ann@example.com', timeZone: 'Europe/Berlin' }],
    status: 'ACCEPTED',
    metadata: {},
    ...overrides,
  });
const rescheduledTo = (start: string, end: string, overrides: Record<string, unknown> = {}) =>
  webhook('BOOKING_RESCHEDULED', { uid: 'u2', rescheduleUid: 'u1', startTime: start, endTime: end, eventTypeId: 101, organizer: { id: 1 }, ...overrides });
const cancelledOnCalcom = (uid = 'u1', overrides: Record<string, unknown> = {}) =>
  webhook('BOOKING_CANCELLED', {
    uid,
    startTime: '2030-01-02T10:00:00+00:00',
    endTime: '2030-01-02T10:30:00+00:00',
    eventTypeId: 101,
    organizer: { id: 1 },
    cancellationReason: 'Ill',
    ...overrides,
  });

const spec = workflowSpecification(calcomWebhookWorkflow);

type Change = AppointmentEvent | { event: AppointmentEvent; source: 'admin' | 'calcom' };

function given(changes: Change[], syncEvents: CalcomSyncEvent[] = [], policy: ConflictPolicy = 'manual') {
  const history = changes.map((change) => ('event' in change ? change : { event: change, source: 'admin' as const }));
  const appointment = history.reduce((state, { event }) => evolve(state, event), initialState());
  const sync = syncEvents.reduce((state, event) => evolveCalcomSync(state, event, '2030-01-01T00:00:00.000Z'), initialCalcomSyncState());
  const lastLedgerChange = history.map(({ source }) => source).lastIndexOf('admin') + 1;
  const target = appointment.status === 'initial' ? null : { appointmentId: 'a1', appointment, version: history.length, ledgerChangedVersion: lastLedgerChange, sync };
  return { when: (fact: CalcomWebhook) => spec(target).when({ factId: 'f1', webhook: fact, catalog, newAppointmentId: 'new-1', conflictId: 'c1', policy }) };
}

const typesOf = (events: { type: string }[]) => events.map((event) => event.type);

describe('BOOKING_CREATED', () => {
  it('for an unknown booking schedules a new appointment with staff by host and service by event type', () => {
    given([])
      .when(created({ additionalNotes: 'Fringe only' }))
      .then((result) => {
        expect(result).toMatchObject({ outcome: 'applied', appointmentId: 'new-1' });
        expect(result.appointmentEvents).toEqual([
          { type: 'AppointmentScheduled', data: { appointmentId: 'new-1', serviceId: 'cut', staffId: 'sam', startsAt: T10, endsAt: T1030, customer, notes: 'Fringe only' } },
        ]);
        expect(result.syncEvents).toEqual([{ type: 'CalcomBookingObserved', data: { appointmentId: 'new-1', booking: booking('u9'), via: 'webhook', factId: 'f1' } }]);
      });
  });

  it('takes a start in the past as it is: a fact is a fact', () => {
    given([])
      .when(created({ startTime: '2001-01-01T10:00:00Z', endTime: '2001-01-01T10:30:00Z' }))
      .thenMatches({ outcome: 'applied' });
  });

  it('maps a round-robin event type to the service of the host who got it', () => {
    given([])
      .when(created({ eventTypeId: 103, organizer: { id: 2 } }))
      .then((result) => {
        expect(result.appointmentEvents[0].data).toMatchObject({ staffId: 'kim', serviceId: 'cut' });
      });
  });

  it.each([
    ['an unknown host', { organizer: { id: 99, email: 'x@y.z' } }, 'Host 99'],
    ['an unknown event type', { eventTypeId: 999 }, 'Event type 999'],
    ['no attendee', { attendees: [] }, 'attendee'],
  ])('with %s is unmapped: kept, nothing scheduled', (_name, overrides, reason) => {
    given([])
      .when(created(overrides))
      .then((result) => {
        expect(result).toMatchObject({ outcome: 'unmapped', appointmentEvents: [], syncEvents: [] });
        expect(result.reason).toContain(reason);
      });
  });

  it('for the booking the ledger created (found by metadata or uid) is an echo that links the uid', () => {
    given([scheduled])
      .when(created({ uid: 'u1', metadata: { appointmentId: 'a1' } }))
      .then((result) => {
        expect(result).toMatchObject({ outcome: 'echo', appointmentId: 'a1', appointmentEvents: [] });
        expect(typesOf(result.syncEvents)).toEqual(['CalcomBookingObserved']);
      });
  });

  it('repeated for a booking the sync already holds records nothing at all', () => {
    given([scheduled], linked)
      .when(created({ uid: 'u1' }))
      .thenMatches({ outcome: 'echo', appointmentEvents: [], syncEvents: [] });
  });

  it('after BOOKING_REQUESTED means the host confirmed: back to scheduled', () => {
    const requested: AppointmentEvent = {
      type: 'AppointmentStatusChanged',
      data: { appointmentId: 'a1', status: 'requested', previousStatus: 'scheduled', trigger: 'BOOKING_REQUESTED' },
    };
    given([
      { event: scheduled, source: 'calcom' },
      { event: requested, source: 'calcom' },
    ])
      .when(created({ uid: 'u1' }))
      .then((result) => {
        expect(result.outcome).toBe('applied');
        expect(result.appointmentEvents).toEqual([
          { type: 'AppointmentStatusChanged', data: { appointmentId: 'a1', status: 'scheduled', previousStatus: 'requested', trigger: 'BOOKING_CREATED' } },
        ]);
      });
  });
});

describe('BOOKING_REQUESTED for an unknown booking', () => {
  it('schedules the appointment and marks it requested', () => {
    given([])
      .when(
        webhook('BOOKING_REQUESTED', {
          ...created().metadata,
          uid: 'u9',
          startTime: T10,
          endTime: T1030,
          eventTypeId: 101,
          organizer: { id: 1 },
          attendees: [customer],
          status: 'PENDING',
        }),
      )
      .then((result) => {
        expect(typesOf(result.appointmentEvents)).toEqual(['AppointmentScheduled', 'AppointmentStatusChanged']);
        expect(result.appointmentEvents[1].data).toMatchObject({ status: 'requested' });
        expect(result.syncEvents[0].data).toMatchObject({ booking: { status: 'pending' } });
      });
  });
});

describe('BOOKING_RESCHEDULED', () => {
  it('moves the appointment found through rescheduleUid and extends the chain', () => {
    given([scheduled], linked)
      .when(rescheduledTo('2030-01-03T15:00:00Z', '2030-01-03T15:30:00Z'))
      .then((result) => {
        expect(result).toMatchObject({ outcome: 'applied', appointmentId: 'a1' });
        expect(result.appointmentEvents).toEqual([
          { type: 'AppointmentRescheduled', data: { appointmentId: 'a1', startsAt: T15, endsAt: T1530, previousStartsAt: T10, previousEndsAt: T1030 } },
        ]);
        expect(result.syncEvents).toEqual([
          {
            type: 'CalcomBookingObserved',
            data: { appointmentId: 'a1', via: 'webhook', factId: 'f1', booking: booking('u2', { start: T15, end: T1530, rescheduledFromUid: 'u1' }) },
          },
        ]);
      });
  });

  it('records a new host as a staff reassignment', () => {
    given([scheduled], linked)
      .when(rescheduledTo(T15, T1530, { organizer: { id: 2 } }))
      .then((result) => {
        expect(typesOf(result.appointmentEvents)).toEqual(['AppointmentRescheduled', 'StaffReassigned']);
      });
  });

  it('is an echo when the ledger already has that start (the sync moved it)', () => {
    const moved: AppointmentEvent = { type: 'AppointmentRescheduled', data: { appointmentId: 'a1', startsAt: T15, endsAt: T1530, previousStartsAt: T10, previousEndsAt: T1030 } };
    given([scheduled, moved], linked)
      .when(rescheduledTo(T15, T1530))
      .then((result) => {
        expect(result).toMatchObject({ outcome: 'echo', appointmentEvents: [] });
        expect(typesOf(result.syncEvents)).toEqual(['CalcomBookingObserved']);
      });
  });

  it('is an echo while the sync is rescheduling that uid, even if the ledger moved on since', () => {
    const inFlight: CalcomSyncEvent = {
      type: 'CalcomOperationStarted',
      data: { appointmentId: 'a1', operationId: 'op2', operation: 'reschedule', bookingUid: 'u1', request: { start: T15 }, ledgerVersion: 2 },
    };
    const moved: AppointmentEvent = { type: 'AppointmentRescheduled', data: { appointmentId: 'a1', startsAt: T15, endsAt: T1530, previousStartsAt: T10, previousEndsAt: T1030 } };
    const movedAgain: AppointmentEvent = { type: 'AppointmentRescheduled', data: { ...moved.data, startsAt: '2030-01-04T09:00:00.000Z', endsAt: '2030-01-04T09:30:00.000Z' } };
    given([scheduled, moved, movedAgain], [...linked, inFlight])
      .when(rescheduledTo(T15, T1530))
      .thenMatches({ outcome: 'echo', appointmentEvents: [] });
  });

  it('is news (here a conflict) when the customer moved the booking the sync is moving elsewhere', () => {
    const inFlight: CalcomSyncEvent = {
      type: 'CalcomOperationStarted',
      data: { appointmentId: 'a1', operationId: 'op2', operation: 'reschedule', bookingUid: 'u1', request: { start: '2030-01-04T09:00:00.000Z' }, ledgerVersion: 2 },
    };
    const adminMove: AppointmentEvent = {
      type: 'AppointmentRescheduled',
      data: { appointmentId: 'a1', startsAt: '2030-01-04T09:00:00.000Z', endsAt: '2030-01-04T09:30:00.000Z', previousStartsAt: T10, previousEndsAt: T1030 },
    };
    given([scheduled, adminMove], [...linked, inFlight])
      .when(rescheduledTo(T15, T1530))
      .thenMatches({ outcome: 'conflict' });
  });

  it('is an echo when the new uid is already in the chain', () => {
    const succeeded: CalcomSyncEvent = {
      type: 'CalcomOperationSucceeded',
      data: { appointmentId: 'a1', operationId: 'op2', operation: 'reschedule', booking: booking('u2', { start: T15 }), alreadyDone: false },
    };
    given([scheduled], [...linked, succeeded])
      .when(rescheduledTo(T15, T1530))
      .thenMatches({ outcome: 'echo', appointmentEvents: [], syncEvents: [] });
  });

  it('is an orphan when neither uid is known yet', () => {
    given([])
      .when(rescheduledTo(T15, T1530))
      .then((result) => {
        expect(result).toMatchObject({ outcome: 'orphan', appointmentId: null, appointmentEvents: [], syncEvents: [] });
        expect(result.reason).toContain('u2 / u1');
      });
  });
});

describe('BOOKING_CANCELLED', () => {
  it('cancels the appointment with Cal.com reason', () => {
    given([scheduled], linked)
      .when(cancelledOnCalcom())
      .then((result) => {
        expect(result.outcome).toBe('applied');
        expect(result.appointmentEvents).toEqual([{ type: 'AppointmentCancelled', data: { appointmentId: 'a1', reason: 'Ill' } }]);
        expect(result.syncEvents[0].data).toMatchObject({ booking: { uid: 'u1', status: 'cancelled' } });
      });
  });

  it('is an echo when the ledger has it cancelled already', () => {
    const cancelled: AppointmentEvent = { type: 'AppointmentCancelled', data: { appointmentId: 'a1', reason: 'x' } };
    given([scheduled, cancelled], linked).when(cancelledOnCalcom()).thenMatches({ outcome: 'echo', appointmentEvents: [], syncEvents: [] });
  });

  it('is an echo for the old half of a reschedule or cancel + create (not the current booking)', () => {
    const replaced: CalcomSyncEvent = {
      type: 'CalcomOperationSucceeded',
      data: { appointmentId: 'a1', operationId: 'op2', operation: 'create', booking: booking('u3', { eventTypeId: 102 }), alreadyDone: false },
    };
    given([scheduled], [...linked, replaced])
      .when(cancelledOnCalcom('u1'))
      .thenMatches({ outcome: 'echo', appointmentEvents: [] });
  });

  it('is an echo while the sync is cancelling that booking (cancel + create for a service change)', () => {
    const cancelling: CalcomSyncEvent = {
      type: 'CalcomOperationStarted',
      data: { appointmentId: 'a1', operationId: 'op2', operation: 'cancel', bookingUid: 'u1', request: {}, ledgerVersion: 2 },
    };
    const changed: AppointmentEvent = {
      type: 'ServiceChanged',
      data: { appointmentId: 'a1', serviceId: 'colour', previousServiceId: 'cut', endsAt: T1030, previousEndsAt: T1030 },
    };
    given([scheduled, changed], [...linked, cancelling])
      .when(cancelledOnCalcom('u1'))
      .thenMatches({ outcome: 'echo', appointmentEvents: [] });
  });

  it('when the host asks the attendee to rebook changes nothing yet', () => {
    given([scheduled], linked)
      .when(cancelledOnCalcom('u1', { requestReschedule: true }))
      .thenMatches({ outcome: 'ignored', appointmentEvents: [], syncEvents: [] });
  });
});

describe('concurrent changes on both sides', () => {
  const adminMove: AppointmentEvent = {
    type: 'AppointmentRescheduled',
    data: { appointmentId: 'a1', startsAt: '2030-01-04T09:00:00.000Z', endsAt: '2030-01-04T09:30:00.000Z', previousStartsAt: T10, previousEndsAt: T1030 },
  };

  it('a customer move against an admin move not yet on Cal.com is a conflict, left to a person', () => {
    given([scheduled, adminMove], linked)
      .when(rescheduledTo(T15, T1530))
      .then((result) => {
        expect(result).toMatchObject({ outcome: 'conflict', appointmentEvents: [] });
        expect(typesOf(result.syncEvents)).toEqual(['SyncConflictDetected', 'CalcomBookingObserved']);
        expect(result.syncEvents[0].data).toMatchObject({
          conflictId: 'c1',
          factId: 'f1',
          ledger: { startsAt: '2030-01-04T09:00:00.000Z', status: 'scheduled', bookingUid: 'u1' },
          calcom: { startsAt: T15, status: 'scheduled', bookingUid: 'u2', staffId: 'sam', serviceId: 'cut' },
        });
      });
  });

  it('a customer cancel against an unsynced admin change is a conflict', () => {
    given([scheduled, adminMove], linked).when(cancelledOnCalcom()).thenMatches({ outcome: 'conflict' });
  });

  it('a change Cal.com itself made earlier is no reason for a conflict', () => {
    const customerMove: AppointmentEvent = { type: 'AppointmentRescheduled', data: { ...adminMove.data } };
    given([scheduled, { event: customerMove, source: 'calcom' }], linked)
      .when(cancelledOnCalcom())
      .thenMatches({ outcome: 'applied' });
  });

  it('an admin change Cal.com already has (sync not marked complete yet) is no reason for a conflict', () => {
    const moved: CalcomSyncEvent = {
      type: 'CalcomOperationSucceeded',
      data: {
        appointmentId: 'a1',
        operationId: 'op2',
        operation: 'reschedule',
        booking: booking('u5', { start: adminMove.data.startsAt, end: adminMove.data.endsAt, rescheduledFromUid: 'u1' }),
        alreadyDone: false,
      },
    };
    given([scheduled, adminMove], [...linked, moved])
      .when(cancelledOnCalcom('u5'))
      .thenMatches({ outcome: 'applied' });
  });

  it('under ledger-wins the conflict is recorded and settled for the ledger at once', () => {
    given([scheduled, adminMove], linked, 'ledger-wins')
      .when(rescheduledTo(T15, T1530))
      .then((result) => {
        expect(result).toMatchObject({ outcome: 'conflict', appointmentEvents: [] });
        expect(typesOf(result.syncEvents)).toEqual(['SyncConflictDetected', 'CalcomBookingObserved', 'SyncConflictResolved']);
        expect(result.syncEvents[2].data).toEqual({ appointmentId: 'a1', conflictId: 'c1', keep: 'ledger', decidedBy: 'policy' });
      });
  });

  it('under calcom-wins the ledger takes Cal.com state', () => {
    given([scheduled, adminMove], linked, 'calcom-wins')
      .when(rescheduledTo(T15, T1530))
      .then((result) => {
        expect(result.appointmentEvents).toEqual([
          {
            type: 'AppointmentRescheduled',
            data: { appointmentId: 'a1', startsAt: T15, endsAt: T1530, previousStartsAt: '2030-01-04T09:00:00.000Z', previousEndsAt: '2030-01-04T09:30:00.000Z' },
          },
        ]);
        expect(result.syncEvents.at(-1)?.data).toMatchObject({ keep: 'calcom', decidedBy: 'policy' });
      });
  });

  it('news during an open conflict updates that conflict instead of opening another', () => {
    const open: CalcomSyncEvent = {
      type: 'SyncConflictDetected',
      data: { appointmentId: 'a1', conflictId: 'c0', ledger: {} as never, calcom: {} as never, factId: 'f0', summary: '' },
    };
    given([scheduled, adminMove], [...linked, open], 'calcom-wins')
      .when(cancelledOnCalcom())
      .then((result) => {
        expect(result.syncEvents[0].data).toMatchObject({ conflictId: 'c0' });
        expect(typesOf(result.syncEvents)).not.toContain('SyncConflictResolved');
      });
  });
});

describe('status changes only Cal.com makes', () => {
  it.each([
    ['BOOKING_REJECTED', { uid: 'u1' }, 'rejected'],
    ['MEETING_ENDED', { uid: 'u1' }, 'completed'],
    ['BOOKING_NO_SHOW_UPDATED', { bookingUid: 'u1', attendees: [{ email: 'ann@example.com', noShow: true }] }, 'no_show'],
  ])('%s sets the status', (trigger, payload, status) => {
    given([scheduled], linked)
      .when(webhook(trigger, payload))
      .then((result) => {
        expect(result.outcome).toBe('applied');
        expect(result.appointmentEvents).toEqual([{ type: 'AppointmentStatusChanged', data: { appointmentId: 'a1', status, previousStatus: 'scheduled', trigger } }]);
      });
  });

  it('a no-show taken back returns the appointment to scheduled', () => {
    const noShow: AppointmentEvent = {
      type: 'AppointmentStatusChanged',
      data: { appointmentId: 'a1', status: 'no_show', previousStatus: 'scheduled', trigger: 'BOOKING_NO_SHOW_UPDATED' },
    };
    given([scheduled, noShow], linked)
      .when(webhook('BOOKING_NO_SHOW_UPDATED', { bookingUid: 'u1', attendees: [{ email: 'a', noShow: false }] }))
      .then((result) => {
        expect(result.appointmentEvents[0].data).toMatchObject({ status: 'scheduled', previousStatus: 'no_show' });
      });
  });

  it('the same status again is an echo, and a cancelled appointment keeps its status', () => {
    const ended: AppointmentEvent = { type: 'AppointmentStatusChanged', data: { appointmentId: 'a1', status: 'completed', previousStatus: 'scheduled', trigger: 'MEETING_ENDED' } };
    given([scheduled, ended], linked)
      .when(webhook('MEETING_ENDED', { uid: 'u1' }))
      .thenMatches({ outcome: 'echo' });
    const cancelled: AppointmentEvent = { type: 'AppointmentCancelled', data: { appointmentId: 'a1', reason: 'x' } };
    given([scheduled, cancelled], linked)
      .when(webhook('MEETING_ENDED', { uid: 'u1' }))
      .thenMatches({ outcome: 'ignored' });
  });

  it('about an unknown booking waits as an orphan', () => {
    given([])
      .when(webhook('MEETING_ENDED', { uid: 'u1' }))
      .thenMatches({ outcome: 'orphan' });
  });
});

describe('anything else', () => {
  it.each(['PING', 'MEETING_STARTED', 'RECORDING_READY'])('%s is kept and changes nothing', (trigger) => {
    given([scheduled], linked)
      .when(webhook(trigger, { uid: 'u1' }))
      .thenMatches({ outcome: 'ignored', appointmentEvents: [], syncEvents: [] });
  });
});

describe('A reschedule Cal.com holds for confirmation (BOOKING_REQUESTED with rescheduleUid, issue 10)', () => {
  const fromCalcom = { event: scheduled, source: 'calcom' as const };
  const replacement = (trigger: string, overrides: Record<string, unknown> = {}) =>
    webhook(trigger, { uid: 'u2', rescheduleUid: 'u1', startTime: T15, endTime: T1530, eventTypeId: 101, organizer: { id: 1 }, attendees: [customer], ...overrides });
  const requestedMove: AppointmentEvent[] = [
    { type: 'AppointmentRescheduled', data: { appointmentId: 'a1', startsAt: T15, endsAt: T1530, previousStartsAt: T10, previousEndsAt: T1030 } },
    { type: 'AppointmentStatusChanged', data: { appointmentId: 'a1', status: 'requested', previousStatus: 'scheduled', trigger: 'BOOKING_REQUESTED' } },
  ];
  const observedU2 = (status: string): CalcomSyncEvent => ({
    type: 'CalcomBookingObserved',
    data: { appointmentId: 'a1', via: 'webhook', factId: 'f2', booking: booking('u2', { start: T15, end: T1530, status, rescheduledFromUid: 'u1' }) },
  });

  it('applies the new start and marks the appointment requested; the new uid joins the chain', () => {
    given([fromCalcom], linked)
      .when(replacement('BOOKING_REQUESTED', { status: 'PENDING' }))
      .then((result) => {
        expect(result).toMatchObject({ outcome: 'applied', appointmentId: 'a1' });
        expect(result.appointmentEvents).toEqual(requestedMove);
        expect(result.syncEvents).toEqual([
          {
            type: 'CalcomBookingObserved',
            data: { appointmentId: 'a1', via: 'webhook', factId: 'f1', booking: booking('u2', { start: T15, end: T1530, status: 'pending', rescheduledFromUid: 'u1' }) },
          },
        ]);
      });
  });

  it('then BOOKING_CREATED for the new uid (the host confirmed) makes it scheduled, at the new time', () => {
    const history: Change[] = [fromCalcom, ...requestedMove.map((event) => ({ event, source: 'calcom' as const }))];
    given(history, [...linked, observedU2('pending')])
      .when(replacement('BOOKING_CREATED', { status: 'ACCEPTED' }))
      .then((result) => {
        expect(result.outcome).toBe('applied');
        expect(result.appointmentEvents).toEqual([
          { type: 'AppointmentStatusChanged', data: { appointmentId: 'a1', status: 'scheduled', previousStatus: 'requested', trigger: 'BOOKING_CREATED' } },
        ]);
      });
  });

  it('then BOOKING_REJECTED for the new uid (the host declined) makes it rejected', () => {
    const history: Change[] = [fromCalcom, ...requestedMove.map((event) => ({ event, source: 'calcom' as const }))];
    given(history, [...linked, observedU2('pending')])
      .when(replacement('BOOKING_REJECTED', { status: 'REJECTED' }))
      .then((result) => {
        expect(result.outcome).toBe('applied');
        expect(typesOf(result.appointmentEvents)).toEqual(['AppointmentStatusChanged']);
        expect(result.appointmentEvents[0].data).toMatchObject({ status: 'rejected', previousStatus: 'requested' });
      });
  });

  it('repeated (another delivery of the same request) changes nothing', () => {
    const history: Change[] = [fromCalcom, ...requestedMove.map((event) => ({ event, source: 'calcom' as const }))];
    given(history, [...linked, observedU2('pending')])
      .when(replacement('BOOKING_REQUESTED', { status: 'PENDING' }))
      .thenMatches({ outcome: 'echo', appointmentEvents: [], syncEvents: [] });
  });

  it.each([
    ['BOOKING_CREATED', 'scheduled'],
    ['BOOKING_REJECTED', 'rejected'],
  ])('out of order: %s for the new uid before the request moves it and ends %s; the late request is then an echo', (trigger, status) => {
    const early = given([fromCalcom], linked)
      .when(replacement(trigger))
      .then((result) => {
        expect(result.outcome).toBe('applied');
        expect(typesOf(result.appointmentEvents)).toEqual(status === 'scheduled' ? ['AppointmentRescheduled'] : ['AppointmentRescheduled', 'AppointmentStatusChanged']);
      });
    const applied = early.appointmentEvents.map((event) => ({ event, source: 'calcom' as const }));
    const observed = early.syncEvents.map((event) => ({ ...event, data: { ...event.data, factId: 'f2' } }) as CalcomSyncEvent);
    given([fromCalcom, ...applied], [...linked, ...observed])
      .when(replacement('BOOKING_REQUESTED', { status: 'PENDING' }))
      .thenMatches({ outcome: 'echo', appointmentEvents: [] });
  });

  it('while an admin move is not on Cal.com yet follows the conflict rules', () => {
    const adminMove: AppointmentEvent = {
      type: 'AppointmentRescheduled',
      data: { appointmentId: 'a1', startsAt: '2030-01-04T09:00:00.000Z', endsAt: '2030-01-04T09:30:00.000Z', previousStartsAt: T10, previousEndsAt: T1030 },
    };
    given([fromCalcom, adminMove], linked)
      .when(replacement('BOOKING_REQUESTED', { status: 'PENDING' }))
      .then((result) => {
        expect(result.outcome).toBe('conflict');
        expect(typesOf(result.syncEvents)).toContain('SyncConflictDetected');
      });
  });

  it('with policy calcom-wins the conflict settles on the requested time and keeps it requested', () => {
    const adminMove: AppointmentEvent = {
      type: 'AppointmentRescheduled',
      data: { appointmentId: 'a1', startsAt: '2030-01-04T09:00:00.000Z', endsAt: '2030-01-04T09:30:00.000Z', previousStartsAt: T10, previousEndsAt: T1030 },
    };
    given([fromCalcom, adminMove], linked, 'calcom-wins')
      .when(replacement('BOOKING_REQUESTED', { status: 'PENDING' }))
      .then((result) => {
        expect(result.outcome).toBe('conflict');
        expect(typesOf(result.appointmentEvents)).toEqual(['AppointmentStatusChanged', 'AppointmentRescheduled']);
        expect(result.appointmentEvents[0].data).toMatchObject({ status: 'requested', previousStatus: 'scheduled', trigger: 'SyncConflictResolved' });
        expect(result.appointmentEvents[1].data).toMatchObject({ startsAt: T15 });
      });
  });

  it('the reschedule the sync itself is making, held by Cal.com, is an echo (no status from its own change)', () => {
    const inFlight: CalcomSyncEvent = {
      type: 'CalcomOperationStarted',
      data: { appointmentId: 'a1', operationId: 'op2', operation: 'reschedule', bookingUid: 'u1', request: { start: T15 }, ledgerVersion: 2 },
    };
    const adminMove: AppointmentEvent = {
      type: 'AppointmentRescheduled',
      data: { appointmentId: 'a1', startsAt: T15, endsAt: T1530, previousStartsAt: T10, previousEndsAt: T1030 },
    };
    given([fromCalcom, adminMove], [...linked, inFlight])
      .when(replacement('BOOKING_REQUESTED', { status: 'PENDING' }))
      .thenMatches({ outcome: 'echo', appointmentEvents: [] });
  });

  it('for a cancelled appointment is a conflict, not a silent revival', () => {
    const cancel: AppointmentEvent = { type: 'AppointmentCancelled', data: { appointmentId: 'a1', reason: 'Moved away' } };
    given([fromCalcom, cancel], linked)
      .when(replacement('BOOKING_REQUESTED', { status: 'PENDING' }))
      .thenMatches({ outcome: 'conflict' });
  });
});

describe('A booking that replaces one the ledger does not know', () => {
  it.each(['BOOKING_REQUESTED', 'BOOKING_CREATED'])('%s with an unknown rescheduleUid waits as an orphan, scheduling nothing', (trigger) => {
    given([])
      .when(webhook(trigger, { uid: 'u2', rescheduleUid: 'u1', startTime: T15, endTime: T1530, eventTypeId: 101, organizer: { id: 1 }, attendees: [customer] }))
      .thenMatches({ outcome: 'orphan', appointmentId: null, appointmentEvents: [], syncEvents: [] });
  });
});
