import type { Event } from '../event.js';

/**
 * The Cal.com sync keeps its own stream per appointment, `calcomsync-<appointmentId>`: what it asked Cal.com,
 * what Cal.com answered, and what it saw of the booking. Its fold (calcom-sync.state.ts) is what lets a restarted
 * sync carry on exactly where it stopped, and an inbound webhook tell an echo from news.
 */

/** Cal.com's booking as far as the ledger cares: one link of the appointment's uid chain. */
export interface BookingCopy {
  uid: string;
  start: string;
  end: string;
  eventTypeId: number;
  hostUserId: number | null;
  /** Cal.com's status, lower case: accepted, cancelled, pending, rejected. */
  status: string;
  rescheduledFromUid: string | null;
  rescheduledToUid: string | null;
  /** Whether Cal.com has the booker marked absent (`attendees[].absent`); absent when the source does not say. */
  attendeeAbsent?: boolean;
}

export type CalcomOperation = 'create' | 'reschedule' | 'cancel' | 'reassign' | 'confirm' | 'decline' | 'mark-absent';

export interface CalcomErrorSummary {
  code: string;
  message: string;
  status: number | null;
}

/** Written BEFORE the call: if the answer is lost, the next attempt knows to look at Cal.com before repeating it. */
export type CalcomOperationStarted = Event<
  'CalcomOperationStarted',
  {
    appointmentId: string;
    operationId: string;
    operation: CalcomOperation;
    /** The booking the call acts on; null for a create. */
    bookingUid: string | null;
    request: Record<string, unknown>;
    /** The ledger version this call brings Cal.com towards. */
    ledgerVersion: number;
    /** Why, in words (shown in the history): the decision's reason and anything learned on the way. */
    reason?: string;
  }
>;

export type CalcomOperationSucceeded = Event<
  'CalcomOperationSucceeded',
  {
    appointmentId: string;
    operationId: string;
    operation: CalcomOperation;
    /** The booking afterwards: the new one for create and reschedule, the cancelled one for cancel. */
    booking: BookingCopy;
    /** True when Cal.com was found to have done it already (lost answer, or "already cancelled"). */
    alreadyDone: boolean;
  }
>;

export type CalcomOperationFailed = Event<
  'CalcomOperationFailed',
  {
    appointmentId: string;
    operationId: string;
    operation: CalcomOperation;
    error: CalcomErrorSummary;
    permanent: boolean;
    /** The call may have taken effect (timeout, connection lost): look before repeating. */
    outcomeUnknown: boolean;
    attempt: number;
    nextRetryAt: string | null;
    /** The ledger version the call was bringing Cal.com towards: a permanent failure holds until the ledger moves on. */
    ledgerVersion?: number;
    /** This failure took the operation past half its budget (attempts or time; see the sync's budget settings). */
    pastHalfBudget?: boolean;
    /** The operation's budget was spent and Cal.com, looked up, showed the call had not taken effect: given up. */
    budgetSpent?: boolean;
  }
>;

/** The booking as seen on Cal.com, by a webhook or a read; extends the uid chain when the uid is new. */
export type CalcomBookingObserved = Event<'CalcomBookingObserved', { appointmentId: string; booking: BookingCopy; via: 'webhook' | 'api' | 'reconciler'; factId: string | null }>;

/** Cal.com matches the ledger at this version. */
export type CalcomSyncCompleted = Event<'CalcomSyncCompleted', { appointmentId: string; ledgerVersion: number; bookingUid: string | null }>;

/** An admin asked for a failed sync to be tried again now. */
export type CalcomSyncRetryRequested = Event<'CalcomSyncRetryRequested', { appointmentId: string }>;

export interface ConflictSide {
  status: string;
  startsAt: string | null;
  endsAt: string | null;
  staffId: string | null;
  serviceId: string | null;
  bookingUid: string | null;
}

export type SyncConflictDetected = Event<
  'SyncConflictDetected',
  { appointmentId: string; conflictId: string; ledger: ConflictSide; calcom: ConflictSide; factId: string | null; summary: string }
>;

export type SyncConflictResolved = Event<'SyncConflictResolved', { appointmentId: string; conflictId: string; keep: 'ledger' | 'calcom'; decidedBy: 'person' | 'policy' }>;

export type CalcomSyncEvent =
  | CalcomOperationStarted
  | CalcomOperationSucceeded
  | CalcomOperationFailed
  | CalcomBookingObserved
  | CalcomSyncCompleted
  | CalcomSyncRetryRequested
  | SyncConflictDetected
  | SyncConflictResolved;

export const calcomSyncStreamPrefix = 'calcomsync-';
export const calcomSyncStream = (appointmentId: string): string => `${calcomSyncStreamPrefix}${appointmentId}`;
