import type { BookingCopy, CalcomErrorSummary, CalcomOperation, CalcomSyncEvent, ConflictSide } from './calcom-sync.events.js';

export interface InFlightOperation {
  operationId: string;
  operation: CalcomOperation;
  bookingUid: string | null;
  request: Record<string, unknown>;
  ledgerVersion: number;
  /** Set once an attempt failed in a way that may still have taken effect. */
  outcomeUnknown: boolean;
  /**
   * True from `CalcomOperationStarted` until a failure is recorded: found true by a fresh process, the call may
   * have been made and its answer lost in a crash. Absent counts as true.
   */
  awaitingAnswer?: boolean;
}

export interface CalcomSyncState {
  /** Every uid the appointment has had on Cal.com, oldest first. */
  chain: string[];
  /** The booking that stands for the appointment now, as last seen. */
  booking: BookingCopy | null;
  inFlight: InFlightOperation | null;
  attempts: number;
  lastError: (CalcomErrorSummary & { permanent: boolean; ledgerVersion?: number | null }) | null;
  nextRetryAt: string | null;
  syncedVersion: number;
  lastSyncedAt: string | null;
  openConflict: { conflictId: string; ledger: ConflictSide; calcom: ConflictSide; summary: string } | null;
  /** An admin (or the reconciler) asked for the levels to be compared again; cleared by `CalcomSyncCompleted`. */
  retryRequested?: boolean;
  /**
   * When the operation now being tried was first started (its budget's clock); cleared with `attempts` by a success,
   * a completion, a permanent failure or a retry request, which is what gives a retried operation a fresh budget.
   */
  budgetStartedAt?: string | null;
  /** A failure of this operation has already been counted as past half its budget (the metric counts it once). */
  budgetPastHalf?: boolean;
  /**
   * The last reassign Cal.com confirmed: to `userId` on booking `uid`. With fixed hosts Cal.com keeps a fixed host as
   * the organizer (roundRobinManualReassignment.ts keeps fixed users), so reading the booking cannot show the member;
   * this is how the sync knows its reassign is applied and does not send it again.
   */
  reassignedTo?: { uid: string; userId: number } | null;
}

export const initialCalcomSyncState = (): CalcomSyncState => ({
  chain: [],
  booking: null,
  inFlight: null,
  attempts: 0,
  lastError: null,
  nextRetryAt: null,
  syncedVersion: 0,
  lastSyncedAt: null,
  openConflict: null,
});

const FRESH_BUDGET = { budgetStartedAt: null, budgetPastHalf: false } as const;

/** `recordedAt` is the event's time in the store, passed in so the fold stays pure. */
export function evolveCalcomSync(state: CalcomSyncState, event: CalcomSyncEvent, recordedAt: string): CalcomSyncState {
  const { type, data } = event;
  switch (type) {
    case 'CalcomOperationStarted':
      return {
        ...state,
        inFlight: {
          operationId: data.operationId,
          operation: data.operation,
          bookingUid: data.bookingUid,
          request: data.request,
          ledgerVersion: data.ledgerVersion,
          outcomeUnknown: false,
          awaitingAnswer: true,
        },
        budgetStartedAt: state.budgetStartedAt ?? recordedAt,
      };
    case 'CalcomOperationSucceeded':
      return {
        ...observe(state, data.booking),
        inFlight: null,
        attempts: 0,
        lastError: null,
        nextRetryAt: null,
        ...FRESH_BUDGET,
        ...(data.operation === 'reassign' && data.booking.hostUserId !== null ? { reassignedTo: { uid: data.booking.uid, userId: data.booking.hostUserId } } : {}),
      };
    case 'CalcomOperationFailed':
      return {
        ...state,
        inFlight: data.permanent || !state.inFlight ? null : { ...state.inFlight, outcomeUnknown: state.inFlight.outcomeUnknown || data.outcomeUnknown, awaitingAnswer: false },
        attempts: data.attempt,
        lastError: { ...data.error, permanent: data.permanent, ledgerVersion: data.ledgerVersion ?? null },
        nextRetryAt: data.nextRetryAt,
        ...(data.permanent ? FRESH_BUDGET : { budgetPastHalf: state.budgetPastHalf === true || data.pastHalfBudget === true }),
      };
    case 'CalcomBookingObserved':
      return observe(state, data.booking);
    case 'CalcomSyncCompleted':
      // Completion is only decided once an in-flight call is known not to have taken effect (or is moot because
      // Cal.com already matches): it must not keep the appointment pending for ever.
      return {
        ...state,
        inFlight: null,
        syncedVersion: Math.max(state.syncedVersion, data.ledgerVersion),
        lastSyncedAt: recordedAt,
        attempts: 0,
        lastError: null,
        nextRetryAt: null,
        retryRequested: false,
        ...FRESH_BUDGET,
      };
    case 'CalcomSyncRetryRequested':
      return { ...state, attempts: 0, lastError: null, nextRetryAt: null, retryRequested: true, ...FRESH_BUDGET };
    case 'SyncConflictDetected':
      return { ...state, openConflict: { conflictId: data.conflictId, ledger: data.ledger, calcom: data.calcom, summary: data.summary } };
    case 'SyncConflictResolved':
      return state.openConflict?.conflictId === data.conflictId ? { ...state, openConflict: null } : state;
    default: {
      const unknown: never = event;
      return unknown;
    }
  }
}

/**
 * A booking seen on Cal.com. It becomes the current one unless it is an older link of the chain
 * (a late webhook about a uid that has since been rescheduled away).
 */
function observe(state: CalcomSyncState, seen: BookingCopy): CalcomSyncState {
  const booking = keepAttendeeAbsence(state.booking, seen);
  const known = state.chain.indexOf(booking.uid);
  if (known === -1) {
    const chain = [...state.chain, booking.uid];
    const supersededByKnown = booking.rescheduledToUid !== null && state.chain.includes(booking.rescheduledToUid);
    return { ...state, chain, booking: supersededByKnown ? state.booking : booking };
  }
  const isCurrent = state.booking?.uid === booking.uid || state.booking === null;
  return isCurrent ? { ...state, booking } : state;
}

/** Most webhooks do not say whether the booker was absent: what the sync last knew of that booking stands. */
function keepAttendeeAbsence(current: BookingCopy | null, seen: BookingCopy): BookingCopy {
  if (seen.attendeeAbsent !== undefined || current?.uid !== seen.uid || current.attendeeAbsent === undefined) return seen;
  return { ...seen, attendeeAbsent: current.attendeeAbsent };
}

export type SyncStatus = 'pending' | 'synced' | 'failed' | 'conflict';

/** The status the UI shows, from the sync's fold and the ledger's current version. */
export function syncStatusOf(state: CalcomSyncState, ledgerVersion: number): SyncStatus {
  if (state.openConflict) return 'conflict';
  if (isHeldByPermanentFailure(state, ledgerVersion)) return 'failed';
  if (state.syncedVersion >= ledgerVersion && !state.inFlight && !state.retryRequested) return 'synced';
  return 'pending';
}

/** A permanent failure is not tried again until the ledger changes after it, or someone asks for a retry. */
export function isHeldByPermanentFailure(state: CalcomSyncState, ledgerVersion: number): boolean {
  const error = state.lastError;
  if (!error?.permanent) return false;
  return error.ledgerVersion === undefined || error.ledgerVersion === null || ledgerVersion <= error.ledgerVersion;
}
