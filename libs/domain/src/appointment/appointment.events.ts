import type { Event } from '../event.js';

export interface Customer {
  name: string;
  email: string;
  timeZone: string;
  phone: string | null;
}

export type AppointmentScheduled = Event<
  'AppointmentScheduled',
  {
    appointmentId: string;
    serviceId: string;
    staffId: string;
    startsAt: string;
    endsAt: string;
    customer: Customer;
    notes: string | null;
  }
>;

export type AppointmentRescheduled = Event<'AppointmentRescheduled', { appointmentId: string; startsAt: string; endsAt: string; previousStartsAt: string; previousEndsAt: string }>;

export type AppointmentCancelled = Event<'AppointmentCancelled', { appointmentId: string; reason: string }>;

export type StaffReassigned = Event<'StaffReassigned', { appointmentId: string; staffId: string; previousStaffId: string }>;

export type ServiceChanged = Event<'ServiceChanged', { appointmentId: string; serviceId: string; previousServiceId: string; endsAt: string; previousEndsAt: string }>;

/** Statuses Cal.com can set: a booking awaiting confirmation, rejected by the host, a no-show, or a meeting that ended. */
export type CalcomAppointmentStatus = 'requested' | 'rejected' | 'no_show' | 'completed' | 'scheduled';

/** The desk's check-in: the ledger's own status, which Cal.com has no word for. */
export type LedgerOnlyStatus = 'arrived';

export type AppointmentStatusChanged = Event<'AppointmentStatusChanged', { appointmentId: string; status: CalcomAppointmentStatus; previousStatus: string; trigger: string }>;

/** An admin accepted a booking that waited for the host (Cal.com: confirm). */
export type AppointmentConfirmed = Event<'AppointmentConfirmed', { appointmentId: string }>;

/** An admin turned down a booking that waited for the host (Cal.com: decline). */
export type AppointmentDeclined = Event<'AppointmentDeclined', { appointmentId: string; reason: string | null }>;

/** The customer did not come (Cal.com: mark-absent); `previousStatus` is what undoing it restores. */
export type NoShowMarked = Event<'NoShowMarked', { appointmentId: string; previousStatus: string }>;

/** A no-show taken back (Cal.com: mark-absent with absent false). */
export type NoShowUndone = Event<'NoShowUndone', { appointmentId: string; status: AppointmentStatusAfterNoShow }>;

export type AppointmentStatusAfterNoShow = 'scheduled' | 'arrived' | 'completed';

/** The desk's check-in; ledger-only. */
export type CustomerCheckedIn = Event<'CustomerCheckedIn', { appointmentId: string; at: string }>;

/** The desk's check-out; ledger-only (Cal.com's own MEETING_ENDED arrives as AppointmentStatusChanged). */
export type AppointmentCompleted = Event<'AppointmentCompleted', { appointmentId: string; at: string; previousStatus: string }>;

/** Contact details and notes as the desk corrected them; ledger-only (Cal.com API v2 2024-08-13 cannot edit them). */
export type ContactDetailsChanged = Event<'ContactDetailsChanged', { appointmentId: string; customer: Customer; notes: string | null; changed: ContactField[] }>;

export type ContactField = 'customer.name' | 'customer.email' | 'customer.phone' | 'notes';

export type AppointmentEvent =
  | AppointmentStatusChanged
  | AppointmentConfirmed
  | AppointmentDeclined
  | NoShowMarked
  | NoShowUndone
  | CustomerCheckedIn
  | AppointmentCompleted
  | ContactDetailsChanged
  | AppointmentScheduled
  | AppointmentRescheduled
  | AppointmentCancelled
  | StaffReassigned
  | ServiceChanged;

export type AppointmentEventType = AppointmentEvent['type'];

export const appointmentEventTypes: readonly AppointmentEventType[] = [
  'AppointmentScheduled',
  'AppointmentRescheduled',
  'AppointmentCancelled',
  'StaffReassigned',
  'ServiceChanged',
  'AppointmentStatusChanged',
  'AppointmentConfirmed',
  'AppointmentDeclined',
  'NoShowMarked',
  'NoShowUndone',
  'CustomerCheckedIn',
  'AppointmentCompleted',
  'ContactDetailsChanged',
];

export const appointmentStreamPrefix = 'appointment-';
export const appointmentStream = (appointmentId: string): string => `${appointmentStreamPrefix}${appointmentId}`;
