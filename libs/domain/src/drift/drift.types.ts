import type { AppointmentDetails } from '../appointment/appointment-details.js';
import type { Customer } from '../appointment/appointment.events.js';
import type { BookingCopy } from '../sync/calcom-sync.events.js';

/**
 * What the drift detector compares: the ledger's levels and Cal.com's, never the events that led there.
 * Everything is plain JSON-safe data; times are ISO 8601 strings.
 */

export type DriftKind =
  | 'missing_in_calcom'
  | 'missing_in_ledger'
  | 'time_mismatch'
  | 'status_mismatch'
  | 'host_mismatch'
  | 'event_type_mismatch'
  | 'broken_chain'
  | 'unmapped'
  /** The sync still has work to do for this appointment: a difference now is expected, not drift. */
  | 'pending';

export const driftKinds: readonly DriftKind[] = [
  'missing_in_calcom',
  'missing_in_ledger',
  'time_mismatch',
  'status_mismatch',
  'host_mismatch',
  'event_type_mismatch',
  'broken_chain',
  'unmapped',
  'pending',
];

/** An appointment as the ledger's read model holds it; a heal appends after its last event (`version`). */
export type LedgerAppointmentLevel = AppointmentDetails;

/** Cal.com's attendee: the same fields the ledger keeps of its customer. */
export type CalcomAttendee = Customer;

/** A booking as `GET /v2/bookings` lists it, narrowed to what the comparison needs. */
export interface CalcomBookingLevel extends BookingCopy {
  /** `metadata.appointmentId`, which the sync writes on every booking it creates; null for bookings made on Cal.com. */
  appointmentId: string | null;
  attendee: CalcomAttendee | null;
  updatedAt: string;
}

/** The uid chain the ledger keeps for an appointment (the sync's read model). */
export interface UidChain {
  appointmentId: string;
  /** The uid that stands for the appointment now. */
  bookingUid: string | null;
  /** Every uid the appointment has had, oldest first. */
  bookingUids: string[];
}

export interface DriftCatalog {
  staff: { staffId: string; calcomUserId: number | null }[];
  services: { serviceId: string; durationMinutes: number; calcomEventTypeIds: Record<string, number> }[];
}

/** The ledger's side of a drift item: the appointment, and what Cal.com should show for it. */
export interface LedgerSide extends Omit<AppointmentDetails, 'customer'> {
  bookingUid: string | null;
  bookingUids: string[];
  /** Cal.com's status this appointment should have. */
  expectedStatus: string;
  /** The host Cal.com should show (the staff member's Cal.com user); null when the catalog has none. */
  expectedHostUserId: number | null;
  /** The event type Cal.com should show (the service's for this staff member); null when the catalog has none. */
  expectedEventTypeId: number | null;
}

/** Cal.com's side of a drift item. */
export interface CalcomSide {
  uid: string;
  /** `unknown` when only a link to the booking is known (a successor that could not be read). */
  status: string;
  start: string | null;
  end: string | null;
  hostUserId: number | null;
  eventTypeId: number | null;
  rescheduledFromUid: string | null;
  rescheduledToUid: string | null;
  appointmentId: string | null;
  attendee: CalcomAttendee | null;
  /** For a broken chain: the uids from the ledger's current one to this booking. */
  path: string[];
}

export interface DriftItem {
  /** Stable across checks while the same difference persists: `<kind>:<appointmentId or bookingUid>`. */
  id: string;
  kind: DriftKind;
  appointmentId: string | null;
  bookingUid: string | null;
  ledger: LedgerSide | null;
  calcom: CalcomSide | null;
  /** The fields that differ (`start`, `status`, `hostUserId` …); for `pending`, the kinds it would otherwise be. */
  differences: string[];
  summary: string;
}

export const driftItemId = (kind: DriftKind, appointmentId: string | null, bookingUid: string | null): string => `${kind}:${appointmentId ?? bookingUid ?? 'unknown'}`;
