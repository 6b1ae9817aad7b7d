import type { BookingSnapshot, CalcomErrorSummary, CalcomOperation, CalcomSyncEvent, ConflictSide } from './calcom-sync.events.js';

export interface InFlightOperation {
  operationId: string;
  operation: CalcomOperation;
  bookingUid: string | null;
  request: Record<string, unknown>;
  ledgerVersion: number;
  /** Set once an attempt failed in a way that may still have taken effect. */
  outcomeUnknown: boolean;
}

export interface CalcomSyncState {
  /** Every uid the appointment has had on Cal.com, oldest first. */
  chain: string[];
  /** The booking that stands for the appointment now, as last seen. */
  booking: BookingSnapshot | null;
  inFlight: InFlightOperation | null;
  attempts: number;
  lastError: (CalcomErrorSummary & { permanent: boolean }) | null;
  nextRetryAt: string | null;
  syncedVersion: number;
  lastSyncedAt: string | null;
  openConflict: { conflictId: string; ledger: ConflictSide; calcom: ConflictSide; summary: string } | null;
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
        },
      };
    case 'CalcomOperationSucceeded':
      return { ...observe(state, data.booking), inFlight: null, attempts: 0, lastError: null, nextRetryAt: null };
    case 'CalcomOperationFailed':
      return {
        ...state,
        inFlight: data.permanent || !state.inFlight ? null : { ...state.inFlight, outcomeUnknown: state.inFlight.outcomeUnknown || data.outcomeUnknown },
        attempts: data.attempt,
        lastError: { ...data.error, permanent: data.permanent },
        nextRetryAt: data.nextRetryAt,
      };
    case 'CalcomBookingObserved':
      return observe(state, data.booking);
    case 'CalcomSyncCompleted':
      return { ...state, syncedVersion: Math.max(state.syncedVersion, data.ledgerVersion), lastSyncedAt: recordedAt, attempts: 0, lastError: null, nextRetryAt: null };
    case 'CalcomSyncRetryRequested':
      return { ...state, attempts: 0, lastError: null, nextRetryAt: null };
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
function observe(state: CalcomSyncState, booking: BookingSnapshot): CalcomSyncState {
  const known = state.chain.indexOf(booking.uid);
  if (known === -1) {
    const chain = [...state.chain, booking.uid];
    const supersededByKnown = booking.rescheduledToUid !== null && state.chain.includes(booking.rescheduledToUid);
    return { ...state, chain, booking: supersededByKnown ? state.booking : booking };
  }
  const isCurrent = state.booking?.uid === booking.uid || state.booking === null;
  return isCurrent ? { ...state, booking } : state;
}

export type SyncStatus = 'pending' | 'synced' | 'failed' | 'conflict';

/** The status the UI shows, from the sync's fold and the ledger's current version. */
export function syncStatusOf(state: CalcomSyncState, ledgerVersion: number): SyncStatus {
  if (state.openConflict) return 'conflict';
  if (state.lastError?.permanent) return 'failed';
  if (state.syncedVersion >= ledgerVersion && !state.inFlight) return 'synced';
  return 'pending';
}
