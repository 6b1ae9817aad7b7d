import type { Appointment } from '../appointment/appointment.decider.js';
import { canonicalJson } from '../canonical-json.js';
import type { Workflow } from '../decider.js';
import type { BookingCopy, CalcomErrorSummary, CalcomOperation } from './calcom-sync.events.js';
import { type CalcomSyncState, type InFlightOperation, isHeldByPermanentFailure } from './calcom-sync.state.js';

/**
 * The outbound sync, a workflow (process manager): given the ledger's appointment and where the catalog puts it (the
 * input), and what the sync knows of Cal.com (its state, the fold of its own stream `calcomsync-<id>`), the next step
 * that brings Cal.com's booking to the ledger's level. Levels, not edges: whatever happened in between, the same levels give the same step, so a
 * restart, a replay or a lost answer cannot make it do something twice.
 */

/** Where the catalog says the appointment belongs on Cal.com. */
export interface CalcomTarget {
  /** `service.calcomEventTypeIds[staffId]`; null when the catalog has none. */
  eventTypeId: number | null;
  /** `staff.calcomUserId`; null when the staff member has none. */
  hostUserId: number | null;
  serviceId: string;
  staffId: string;
}

/** Everything the step depends on besides the sync's own state. */
export interface CalcomSyncInput {
  appointmentId: string;
  /** The ledger's fold of `appointment-<id>`. */
  appointment: Appointment;
  /** Events in the appointment's stream (the API's version). */
  ledgerVersion: number;
  /** The version right after the latest appointment change that did not come from Cal.com (0: none). */
  ledgerChangedVersion: number;
  target: CalcomTarget | null;
  /**
   * How the booking's event type assigns hosts, from Cal.com's `schedulingType`: null until loaded; `unknown` when
   * Cal.com's listing does not say (its user event types omit it), in which case Cal.com is asked to reassign and its
   * answer decides.
   */
  bookingEventTypeScheduling: EventTypeScheduling | null;
  /**
   * The fixed hosts of the booking's round-robin event type (Cal.com's `hosts[].mandatory`), as far as known. A fixed
   * host attends every booking and Cal.com makes one the organizer (handleNewBooking.ts), so it is never reassigned to
   * (Cal.com answers 500) and an organizer that is one says nothing about the round-robin member.
   */
  bookingEventTypeFixedHosts?: number[];
  /** Set by the caller after reading Cal.com: the operation in flight did not take effect, so decide afresh. */
  inFlightNotApplied: boolean;
  /** The id a new operation gets (a repeat of the one found not applied keeps its own). */
  newOperationId: string;
  now: string;
}

export type EventTypeScheduling = 'round-robin' | 'not-round-robin' | 'unknown';

export type CalcomSyncStep =
  | { kind: 'idle'; reason: string }
  | { kind: 'wait'; until: string; reason: string }
  | { kind: 'verify'; operation: InFlightOperation }
  | { kind: 'load-event-types' }
  | { kind: 'call'; call: CalcomCall; reason: string }
  | { kind: 'refuse'; operation: CalcomOperation; operationId: string; error: CalcomErrorSummary }
  | { kind: 'complete'; ledgerVersion: number; bookingUid: string | null };

export interface CalcomCall {
  operationId: string;
  operation: CalcomOperation;
  /** The booking acted on; null for a create. */
  bookingUid: string | null;
  request: Record<string, unknown>;
  ledgerVersion: number;
}

const ACTIVE_BOOKING = new Set(['accepted', 'pending']);
const INACTIVE_LEDGER = new Set(['cancelled', 'rejected']);

export function decideCalcomSync(input: CalcomSyncInput, sync: CalcomSyncState): CalcomSyncStep {
  const { appointment, now } = input;
  if (sync.openConflict) return idle(`paused: conflict ${sync.openConflict.conflictId} is open`);
  if (sync.inFlight && !input.inFlightNotApplied) {
    if (sync.nextRetryAt && sync.nextRetryAt > now) return { kind: 'wait', until: sync.nextRetryAt, reason: 'retrying after a failure' };
    const mayHaveTakenEffect = sync.inFlight.outcomeUnknown || sync.inFlight.awaitingAnswer !== false;
    if (mayHaveTakenEffect) return { kind: 'verify', operation: sync.inFlight };
    return decideCalcomSync({ ...input, inFlightNotApplied: true }, sync);
  }
  if (appointment.status === 'initial') return idle('no appointment in the ledger');
  const owesWork = input.inFlightNotApplied || sync.retryRequested === true || input.ledgerChangedVersion > sync.syncedVersion;
  if (!owesWork) {
    if (input.ledgerVersion > sync.syncedVersion) return complete(input, sync);
    return idle('Cal.com has the ledger version');
  }
  if (sync.nextRetryAt && sync.nextRetryAt > now && !input.inFlightNotApplied) {
    return { kind: 'wait', until: sync.nextRetryAt, reason: 'retrying after a failure' };
  }
  const step = compareLevels(input, sync, appointment);
  if ((step.kind === 'call' || step.kind === 'refuse') && isHeldByPermanentFailure(sync, input.ledgerVersion)) {
    return idle('held by a permanent failure until the ledger changes or a retry is asked for');
  }
  return step;
}

type Existing = Exclude<Appointment, { status: 'initial' }>;

function compareLevels(input: CalcomSyncInput, sync: CalcomSyncState, appointment: Existing): CalcomSyncStep {
  const booking = sync.booking;
  const bookingActive = booking !== null && ACTIVE_BOOKING.has(booking.status);
  if (INACTIVE_LEDGER.has(appointment.status)) {
    if (!bookingActive) return complete(input, sync);
    if (appointment.status === 'rejected' && booking.status === 'pending') {
      const request = appointment.cancellationReason ? { reason: appointment.cancellationReason } : {};
      return call(input, sync, 'decline', booking.uid, request, 'declined in the ledger while Cal.com waits for the host');
    }
    const cancellationReason = appointment.cancellationReason ?? `${appointment.status} in the ledger`;
    return call(input, sync, 'cancel', booking.uid, { cancellationReason }, 'cancelled in the ledger');
  }
  const target = input.target;
  if (!target || target.eventTypeId === null) {
    const service = target?.serviceId ?? appointment.serviceId;
    const staff = target?.staffId ?? appointment.staffId;
    return refuse(
      input,
      bookingActive ? 'cancel' : 'create',
      'CALCOM_EVENT_TYPE_MISSING',
      `Service ${service} has no Cal.com event type for staff member ${staff} (services.calcomEventTypeIds)`,
    );
  }
  if (!bookingActive) {
    const { name, email, timeZone } = appointment.customer;
    const request = { eventTypeId: target.eventTypeId, start: appointment.startsAt, attendee: { name, email, timeZone } };
    return call(input, sync, 'create', null, request, booking ? 'the booking was cancelled; the appointment goes on' : 'no booking yet');
  }
  if (booking.eventTypeId !== target.eventTypeId) {
    const cancellationReason = `Moved to Cal.com event type ${target.eventTypeId} (service or staff changed in the ledger)`;
    return call(input, sync, 'cancel', booking.uid, { cancellationReason }, 'event type differs: cancel, then create');
  }
  const fixedHosts = input.bookingEventTypeFixedHosts ?? [];
  if (target.hostUserId !== null && booking.hostUserId !== null && !targetAmongHosts(sync, booking, target.hostUserId, fixedHosts)) {
    if (input.bookingEventTypeScheduling === null) return { kind: 'load-event-types' };
    if (fixedHosts.includes(target.hostUserId)) {
      return refuse(
        input,
        'reassign',
        'CALCOM_FIXED_HOST',
        `Staff member ${target.staffId} (Cal.com user ${target.hostUserId}) is a fixed host of event type ${booking.eventTypeId} on Cal.com; Cal.com cannot reassign the booking to them`,
      );
    }
    if (input.bookingEventTypeScheduling !== 'not-round-robin') {
      return call(input, sync, 'reassign', booking.uid, { userId: target.hostUserId }, 'host differs on a round-robin event type');
    }
    return refuse(
      input,
      'reassign',
      'CALCOM_HOST_MISMATCH',
      `Event type ${booking.eventTypeId} is not round-robin: its bookings are hosted by Cal.com user ${booking.hostUserId}, not by staff member ${target.staffId} (user ${target.hostUserId})`,
    );
  }
  if (!sameInstant(booking.start, appointment.startsAt)) {
    return call(input, sync, 'reschedule', booking.uid, { start: appointment.startsAt }, 'start differs');
  }
  return hostAndAttendanceStep(input, sync, appointment, booking) ?? complete(input, sync);
}

/**
 * What only a person decides and Cal.com records: the host's confirm of a booking that waits for it, and whether the
 * booker came. Cal.com refuses mark-absent before the start, and so does the ledger's no-show, so this is never early.
 */
function hostAndAttendanceStep(input: CalcomSyncInput, sync: CalcomSyncState, appointment: Existing, booking: BookingCopy): CalcomSyncStep | null {
  if (booking.status === 'pending' && appointment.hostDecision === 'confirmed') {
    return call(input, sync, 'confirm', booking.uid, {}, 'confirmed in the ledger while Cal.com waits for the host');
  }
  const absent = appointment.status === 'no_show';
  if ((booking.attendeeAbsent ?? false) !== absent) {
    return call(input, sync, 'mark-absent', booking.uid, { absent }, absent ? 'a no-show in the ledger' : 'the no-show was taken back in the ledger');
  }
  return null;
}

/**
 * "Applied" for a reassign: the target is the organizer Cal.com shows, or, when the organizer is a fixed host and so
 * hides the member, the one Cal.com confirmed our last reassign to. A fixed host as the target is applied only while
 * it is the organizer and no reassign of ours put another member beside it: a fixed host is never the round-robin
 * member, so once we made someone else the member, the ledger naming the fixed host is a disagreement to report.
 */
function targetAmongHosts(sync: CalcomSyncState, booking: BookingCopy, target: number, fixedHosts: number[]): boolean {
  const confirmedMember = sync.reassignedTo?.uid === booking.uid ? sync.reassignedTo.userId : null;
  if (fixedHosts.includes(target)) return booking.hostUserId === target && confirmedMember === null;
  if (booking.hostUserId === target) return true;
  const organizerIsFixed = booking.hostUserId !== null && fixedHosts.includes(booking.hostUserId);
  return organizerIsFixed && confirmedMember === target;
}

function call(
  input: CalcomSyncInput,
  sync: CalcomSyncState,
  operation: CalcomOperation,
  bookingUid: string | null,
  request: Record<string, unknown>,
  reason: string,
): CalcomSyncStep {
  const inFlight = sync.inFlight;
  const operationId = inFlight && repeatsInFlight(inFlight, operation, bookingUid, request) ? inFlight.operationId : input.newOperationId;
  const withMetadata = operation === 'create' ? { ...request, metadata: { appointmentId: input.appointmentId, operationId } } : request;
  return { kind: 'call', call: { operationId, operation, bookingUid, request: withMetadata, ledgerVersion: input.ledgerVersion }, reason };
}

/** The same call again keeps its operation id, so a create's metadata finds any attempt that did land. */
function repeatsInFlight(inFlight: InFlightOperation, operation: CalcomOperation, bookingUid: string | null, request: Record<string, unknown>): boolean {
  if (inFlight.operation !== operation || inFlight.bookingUid !== bookingUid) return false;
  const { metadata: _metadata, ...before } = inFlight.request;
  return canonicalJson(before) === canonicalJson(request);
}

function refuse(input: CalcomSyncInput, operation: CalcomOperation, code: string, message: string): CalcomSyncStep {
  return { kind: 'refuse', operation, operationId: input.newOperationId, error: { code, message, status: null } };
}

function complete(input: CalcomSyncInput, sync: CalcomSyncState): CalcomSyncStep {
  return { kind: 'complete', ledgerVersion: input.ledgerVersion, bookingUid: sync.booking?.uid ?? null };
}

const idle = (reason: string): CalcomSyncStep => ({ kind: 'idle', reason });

const sameInstant = (a: string, b: string): boolean => Date.parse(a) === Date.parse(b);

export const calcomSyncWorkflow: Workflow<CalcomSyncInput, CalcomSyncState, CalcomSyncStep> = { decide: decideCalcomSync };
