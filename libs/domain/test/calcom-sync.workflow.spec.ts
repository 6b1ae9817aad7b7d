import {
  type AppointmentEvent,
  type CalcomSyncEvent,
  type CalcomSyncInput,
  type CalcomSyncStep,
  calcomSyncWorkflow,
  evolve,
  evolveCalcomSync,
  initialCalcomSyncState,
  initialState,
  syncStatusOf,
} from '../src/index.js';
import { appointmentScheduled, bookingCopy, START } from './support/calcom-sync-fixtures.js';
import { workflowSpecification } from './support/workflow-specification.js';

const ID = 'a1';
const NOW = '2030-01-01T12:00:00.000Z';
const customer = { name: 'Ada', email: 'ada@example.com', timeZone: 'Europe/London', phone: null };

const scheduled = appointmentScheduled({ appointmentId: ID, serviceId: 'consult', staffId: 'olivia', customer });
const booking = bookingCopy;
const createOp = { appointmentId: ID, operationId: 'op-1', operation: 'create' as const };
const createRequest = { eventTypeId: 101, start: START, attendee: { name: 'Ada', email: 'ada@example.com', timeZone: 'Europe/London' } };
const started: CalcomSyncEvent = {
  type: 'CalcomOperationStarted',
  data: { ...createOp, bookingUid: null, request: { ...createRequest, metadata: { appointmentId: ID, operationId: 'op-1' } }, ledgerVersion: 1 },
};
const succeeded = (snapshot = booking()): CalcomSyncEvent => ({ type: 'CalcomOperationSucceeded', data: { ...createOp, booking: snapshot, alreadyDone: false } });
const completed = (ledgerVersion: number): CalcomSyncEvent => ({ type: 'CalcomSyncCompleted', data: { appointmentId: ID, ledgerVersion, bookingUid: 'uid-1' } });
const failed = (over: { permanent?: boolean; outcomeUnknown?: boolean; nextRetryAt?: string | null; ledgerVersion?: number }): CalcomSyncEvent => ({
  type: 'CalcomOperationFailed',
  data: {
    ...createOp,
    error: { code: 'X', message: 'no', status: 500 },
    permanent: over.permanent ?? false,
    outcomeUnknown: over.outcomeUnknown ?? false,
    attempt: 1,
    nextRetryAt: over.nextRetryAt ?? null,
    ledgerVersion: over.ledgerVersion,
  },
});

const spec = workflowSpecification(calcomSyncWorkflow);

/** Any part of a step, nested parts included (toMatchObject compares only what is given). */
type ExpectedStep = { kind: CalcomSyncStep['kind'] } & Record<string, unknown>;

/**
 * Given the appointment's events (with their source) and the sync's events, when the sync decides, then this step.
 * The sync's events fold into the workflow's state; the appointment's make the input, with `overrides` on top.
 */
function given(appointmentEvents: (AppointmentEvent | [AppointmentEvent, 'calcom'])[], syncEvents: CalcomSyncEvent[] = []) {
  const events = appointmentEvents.map((entry) => (Array.isArray(entry) ? entry : ([entry, 'admin'] as const)));
  const lastOutside = events.map(([, source]) => source).lastIndexOf('admin');
  const input: CalcomSyncInput = {
    appointmentId: ID,
    appointment: events.reduce((state, [event]) => evolve(state, event), initialState()),
    ledgerVersion: events.length,
    ledgerChangedVersion: lastOutside + 1,
    target: { eventTypeId: 101, hostUserId: 1, serviceId: 'consult', staffId: 'olivia' },
    bookingEventTypeScheduling: 'round-robin',
    inFlightNotApplied: false,
    newOperationId: 'op-new',
    now: NOW,
  };
  const sync = syncEvents.reduce((state, event) => evolveCalcomSync(state, event, NOW), initialCalcomSyncState());
  return {
    when: (overrides: Partial<CalcomSyncInput> = {}) => ({
      then: (expected: ExpectedStep): void => {
        spec(sync)
          .when({ ...input, ...overrides })
          .thenMatches(expected);
      },
    }),
  };
}

const cancelled: AppointmentEvent = { type: 'AppointmentCancelled', data: { appointmentId: ID, reason: 'Client is ill' } };
const rescheduled: AppointmentEvent = {
  type: 'AppointmentRescheduled',
  data: { appointmentId: ID, startsAt: '2030-01-03T09:00:00.000Z', endsAt: '2030-01-03T09:30:00.000Z', previousStartsAt: START, previousEndsAt: '2030-01-02T10:30:00.000Z' },
};
const reassigned: AppointmentEvent = { type: 'StaffReassigned', data: { appointmentId: ID, staffId: 'hugo', previousStaffId: 'olivia' } };
const synced = [started, succeeded(), completed(1)];

describe('a new appointment', () => {
  it('is created on Cal.com with its id and the operation id in metadata', () =>
    given([scheduled])
      .when()
      .then({
        kind: 'call',
        call: {
          operationId: 'op-new',
          operation: 'create',
          bookingUid: null,
          ledgerVersion: 1,
          request: { ...createRequest, metadata: { appointmentId: ID, operationId: 'op-new' } },
        },
      }));

  it('without an event type for its staff member fails for good, with the reason', () =>
    given([scheduled])
      .when({ target: { eventTypeId: null, hostUserId: 1, serviceId: 'consult', staffId: 'olivia' } })
      .then({
        kind: 'refuse',
        operation: 'create',
        error: { code: 'CALCOM_EVENT_TYPE_MISSING', message: expect.stringContaining('Service consult has no Cal.com event type for staff member olivia'), status: null },
      }));

  it('that came from Cal.com is only marked as in step, without a call', () =>
    given([[scheduled, 'calcom']], [{ type: 'CalcomBookingObserved', data: { appointmentId: ID, booking: booking(), via: 'webhook', factId: 'f' } }])
      .when()
      .then({ kind: 'complete', ledgerVersion: 1, bookingUid: 'uid-1' }));

  it('that was cancelled before it reached Cal.com needs no call at all', () => given([scheduled, cancelled]).when().then({ kind: 'complete', ledgerVersion: 2 }));
});

describe('the four admin changes, against a synced booking', () => {
  it('cancel → cancel the current booking with the ledger reason', () =>
    given([scheduled, cancelled], synced)
      .when()
      .then({ kind: 'call', call: { operation: 'cancel', bookingUid: 'uid-1', request: { cancellationReason: 'Client is ill' } } }));

  it('reschedule → reschedule the current uid to the new start', () =>
    given([scheduled, rescheduled], synced)
      .when()
      .then({ kind: 'call', call: { operation: 'reschedule', bookingUid: 'uid-1', request: { start: '2030-01-03T09:00:00.000Z' } } }));

  it('reassign on a round-robin event type → reassign in place to the staff member’s user', () =>
    given([scheduled, reassigned], [started, succeeded(booking({ eventTypeId: 103, hostUserId: 2 })), completed(1)])
      .when({ target: { eventTypeId: 103, hostUserId: 3, serviceId: 'consult', staffId: 'hugo' } })
      .then({ kind: 'call', call: { operation: 'reassign', bookingUid: 'uid-1', request: { userId: 3 } } }));

  it('reassign on a round-robin type before the event types are known → load them first', () =>
    given([scheduled, reassigned], [started, succeeded(booking({ eventTypeId: 103, hostUserId: 2 })), completed(1)])
      .when({ target: { eventTypeId: 103, hostUserId: 3, serviceId: 'consult', staffId: 'hugo' }, bookingEventTypeScheduling: null })
      .then({ kind: 'load-event-types' }));

  it('reassign to staff with another event type → cancel (then create on the next step)', () =>
    given([scheduled, reassigned], synced)
      .when({ target: { eventTypeId: 201, hostUserId: 2, serviceId: 'consult', staffId: 'hugo' } })
      .then({ kind: 'call', call: { operation: 'cancel', bookingUid: 'uid-1' } }));

  it('… and once that booking is cancelled, create on the new event type', () =>
    given(
      [scheduled, reassigned],
      [...synced, { type: 'CalcomOperationSucceeded', data: { ...createOp, operation: 'cancel', booking: booking({ status: 'cancelled' }), alreadyDone: false } }],
    )
      .when({ target: { eventTypeId: 201, hostUserId: 2, serviceId: 'consult', staffId: 'hugo' } })
      .then({ kind: 'call', call: { operation: 'create', request: { eventTypeId: 201 } } }));

  it('a host that differs on a type that is not round-robin cannot be fixed: a permanent failure says why', () =>
    given([scheduled, reassigned], synced)
      .when({ target: { eventTypeId: 101, hostUserId: 2, serviceId: 'consult', staffId: 'hugo' }, bookingEventTypeScheduling: 'not-round-robin' })
      .then({ kind: 'refuse', operation: 'reassign', error: { code: 'CALCOM_HOST_MISMATCH' } }));

  it('a host that differs on a type whose scheduling Cal.com does not list → ask Cal.com to reassign; its answer decides', () =>
    given([scheduled, reassigned], synced)
      .when({ target: { eventTypeId: 101, hostUserId: 2, serviceId: 'consult', staffId: 'hugo' }, bookingEventTypeScheduling: 'unknown' })
      .then({ kind: 'call', call: { operation: 'reassign', request: { userId: 2 } } }));

  describe('on a round-robin type with a fixed host (user 1, the organizer Cal.com shows)', () => {
    const onFixed = [started, succeeded(booking({ eventTypeId: 103, hostUserId: 1 })), completed(1)];
    const reassignedTo = (userId: number): CalcomSyncEvent => ({
      type: 'CalcomOperationSucceeded',
      data: { ...createOp, operation: 'reassign', booking: booking({ eventTypeId: 103, hostUserId: userId }), alreadyDone: false },
    });
    const observedOrganizer: CalcomSyncEvent = {
      type: 'CalcomBookingObserved',
      data: { appointmentId: ID, booking: booking({ eventTypeId: 103, hostUserId: 1 }), via: 'webhook', factId: 'f' },
    };
    const roundRobin = { bookingEventTypeScheduling: 'round-robin' as const, bookingEventTypeFixedHosts: [1] };

    const toOlivia = { target: { eventTypeId: 103, hostUserId: 1, serviceId: 'consult', staffId: 'olivia' }, ...roundRobin };
    const fixedHostRefusal = {
      kind: 'refuse',
      operation: 'reassign',
      error: {
        code: 'CALCOM_FIXED_HOST',
        message: 'Staff member olivia (Cal.com user 1) is a fixed host of event type 103 on Cal.com; Cal.com cannot reassign the booking to them',
        status: null,
      },
    } as const;

    it('a fixed host as the target while the booking shows a member: a permanent failure, no call (Cal.com would answer 500)', () =>
      given([scheduled, reassigned], [started, succeeded(booking({ eventTypeId: 103, hostUserId: 3 })), completed(1)])
        .when(toOlivia)
        .then(fixedHostRefusal));

    it('a fixed host as the target after our reassign made someone else the member: a permanent failure, even with the fixed organizer in view', () =>
      given([scheduled, reassigned], [...onFixed, reassignedTo(3), observedOrganizer])
        .when(toOlivia)
        .then(fixedHostRefusal));

    it('… and a retry asked for refuses again while the catalog is unchanged', () =>
      given([scheduled, reassigned], [...onFixed, reassignedTo(3), observedOrganizer, { type: 'CalcomSyncRetryRequested', data: { appointmentId: ID } }])
        .when(toOlivia)
        .then(fixedHostRefusal));

    it('a fixed host that is already the organizer, with no member of ours beside it, is applied: nothing to send', () =>
      given([scheduled], [...onFixed, { type: 'CalcomSyncRetryRequested', data: { appointmentId: ID } }])
        .when(toOlivia)
        .then({ kind: 'complete' }));

    it('a fixed host as the target before the event type is known → load it first (no call, no verdict yet)', () =>
      given([scheduled, reassigned], [started, succeeded(booking({ eventTypeId: 103, hostUserId: 3 })), completed(1)])
        .when({ ...toOlivia, bookingEventTypeScheduling: null })
        .then({ kind: 'load-event-types' }));

    it('the member is hidden behind the fixed organizer: reassign once…', () =>
      given([scheduled, reassigned], onFixed)
        .when({ target: { eventTypeId: 103, hostUserId: 3, serviceId: 'consult', staffId: 'rita' }, ...roundRobin })
        .then({ kind: 'call', call: { operation: 'reassign', request: { userId: 3 } } }));

    it('… and once Cal.com confirmed it, the organizer read again is not a reason to reassign again', () =>
      given([scheduled, reassigned], [...onFixed, reassignedTo(3), observedOrganizer])
        .when({ target: { eventTypeId: 103, hostUserId: 3, serviceId: 'consult', staffId: 'rita' }, ...roundRobin })
        .then({ kind: 'complete' }));

    it('a confirmed reassign to someone else does not count for a new target', () =>
      given([scheduled, reassigned], [...onFixed, reassignedTo(2), observedOrganizer])
        .when({ target: { eventTypeId: 103, hostUserId: 3, serviceId: 'consult', staffId: 'rita' }, ...roundRobin })
        .then({ kind: 'call', call: { operation: 'reassign', request: { userId: 3 } } }));
  });

  it('change of service → cancel + create, event type first', () =>
    given([scheduled, rescheduled], synced)
      .when({ target: { eventTypeId: 102, hostUserId: 1, serviceId: 'assessment', staffId: 'olivia' } })
      .then({ kind: 'call', call: { operation: 'cancel' } }));
});

describe('levels, not edges', () => {
  it('a booking already at the ledger’s level → complete', () =>
    given(
      [scheduled, rescheduled],
      [...synced, { type: 'CalcomBookingObserved', data: { appointmentId: ID, booking: booking({ uid: 'uid-2', start: '2030-01-03T09:00:00Z' }), via: 'webhook', factId: null } }],
    )
      .when()
      .then({ kind: 'complete', ledgerVersion: 2, bookingUid: 'uid-2' }));

  it('nothing new in the ledger → idle, even when Cal.com shows something else (that is the webhook side’s news)', () =>
    given(
      [scheduled],
      [...synced, { type: 'CalcomBookingObserved', data: { appointmentId: ID, booking: booking({ start: '2030-02-01T09:00:00Z' }), via: 'webhook', factId: null } }],
    )
      .when()
      .then({ kind: 'idle' }));

  it('a retry request compares levels again even when the versions say synced (the reconciler’s "keep ledger")', () =>
    given(
      [scheduled],
      [
        ...synced,
        { type: 'CalcomBookingObserved', data: { appointmentId: ID, booking: booking({ status: 'cancelled' }), via: 'reconciler', factId: null } },
        { type: 'CalcomSyncRetryRequested', data: { appointmentId: ID } },
      ],
    )
      .when()
      .then({ kind: 'call', call: { operation: 'create' } }));

  it('an open conflict pauses everything', () =>
    given(
      [scheduled, cancelled],
      [...synced, { type: 'SyncConflictDetected', data: { appointmentId: ID, conflictId: 'c1', ledger: {} as never, calcom: {} as never, factId: null, summary: 's' } }],
    )
      .when()
      .then({ kind: 'idle', reason: expect.stringContaining('conflict c1') }));

  it('… and resumes when it is resolved', () =>
    given(
      [scheduled, cancelled],
      [
        ...synced,
        { type: 'SyncConflictDetected', data: { appointmentId: ID, conflictId: 'c1', ledger: {} as never, calcom: {} as never, factId: null, summary: 's' } },
        { type: 'SyncConflictResolved', data: { appointmentId: ID, conflictId: 'c1', keep: 'ledger', decidedBy: 'person' } },
      ],
    )
      .when()
      .then({ kind: 'call', call: { operation: 'cancel' } }));
});

describe('unknown outcomes and retries', () => {
  it('a started call with no answer (a crash) is looked up on Cal.com before anything else', () =>
    given([scheduled, cancelled], [started])
      .when()
      .then({ kind: 'verify', operation: { operationId: 'op-1', operation: 'create' } }));

  it('a timeout waits for its retry time, then is looked up', () => {
    const events = [started, failed({ outcomeUnknown: true, nextRetryAt: '2030-01-01T12:00:05.000Z' })];
    given([scheduled], events).when().then({ kind: 'wait', until: '2030-01-01T12:00:05.000Z' });
    given([scheduled], events).when({ now: '2030-01-01T12:00:06.000Z' }).then({ kind: 'verify' });
  });

  it('a failure known not to have landed (a 429) is simply repeated, with the same operation id', () =>
    given([scheduled], [started, failed({ nextRetryAt: '2030-01-01T11:00:00.000Z' })])
      .when()
      .then({ kind: 'call', call: { operationId: 'op-1', operation: 'create' } }));

  it('… even when the stored request comes back with its keys reordered (jsonb)', () => {
    const reordered: CalcomSyncEvent = {
      type: 'CalcomOperationStarted',
      data: {
        ...createOp,
        bookingUid: null,
        ledgerVersion: 1,
        request: {
          metadata: { operationId: 'op-1', appointmentId: ID },
          start: START,
          attendee: { timeZone: 'Europe/London', email: 'ada@example.com', name: 'Ada' },
          eventTypeId: 101,
        },
      },
    };
    given([scheduled], [reordered, failed({ nextRetryAt: '2030-01-01T11:00:00.000Z' })])
      .when()
      .then({ kind: 'call', call: { operationId: 'op-1' } });
  });

  it('found not applied, the decision is made afresh from the levels (the ledger moved on meanwhile)', () =>
    given([scheduled, cancelled], [started, failed({ outcomeUnknown: true })])
      .when({ inFlightNotApplied: true })
      .then({ kind: 'complete' }));

  it('a permanent failure holds until the ledger changes, and then is tried again', () => {
    given([scheduled], [started, failed({ permanent: true, ledgerVersion: 1 })])
      .when()
      .then({ kind: 'idle', reason: expect.stringContaining('permanent') });
    given([scheduled, rescheduled], [started, failed({ permanent: true, ledgerVersion: 1 })])
      .when()
      .then({ kind: 'call', call: { operation: 'create' } });
  });

  it('a permanent failure is not refused over and over', () =>
    given([scheduled], [{ ...failed({ permanent: true, ledgerVersion: 1 }) }])
      .when({ target: { eventTypeId: null, hostUserId: 1, serviceId: 'consult', staffId: 'olivia' } })
      .then({ kind: 'idle' }));
});

describe('status', () => {
  const state = (events: CalcomSyncEvent[]) => events.reduce((s, e) => evolveCalcomSync(s, e, NOW), initialCalcomSyncState());
  it('pending, synced, failed and held only while the ledger has not moved on', () => {
    expect(syncStatusOf(state([]), 1)).toBe('pending');
    expect(syncStatusOf(state(synced), 1)).toBe('synced');
    expect(syncStatusOf(state([...synced, { type: 'CalcomSyncRetryRequested', data: { appointmentId: ID } }]), 1)).toBe('pending');
    expect(syncStatusOf(state([started, failed({ permanent: true, ledgerVersion: 1 })]), 1)).toBe('failed');
    expect(syncStatusOf(state([started, failed({ permanent: true, ledgerVersion: 1 })]), 2)).toBe('pending');
  });

  it('a call found not to have landed, then made moot by completion, leaves the appointment synced', () => {
    const moot = [started, failed({ nextRetryAt: '2030-01-01T11:00:00.000Z' }), completed(1)];
    expect(syncStatusOf(state(moot), 1)).toBe('synced');
    given([scheduled], moot).when().then({ kind: 'idle' });
  });
});
