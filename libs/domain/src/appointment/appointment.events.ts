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

export type AppointmentRescheduled = Event<
  'AppointmentRescheduled',
  { appointmentId: string; startsAt: string; endsAt: string; previousStartsAt: string; previousEndsAt: string }
>;

export type AppointmentCancelled = Event<'AppointmentCancelled', { appointmentId: string; reason: string }>;

export type StaffReassigned = Event<'StaffReassigned', { appointmentId: string; staffId: string; previousStaffId: string }>;

export type ServiceChanged = Event<
  'ServiceChanged',
  { appointmentId: string; serviceId: string; previousServiceId: string; endsAt: string; previousEndsAt: string }
>;

/** Statuses only Cal.com sets: a booking awaiting confirmation, rejected by the host, a no-show, or a meeting that ended. */
export type CalcomAppointmentStatus = 'requested' | 'rejected' | 'no_show' | 'completed' | 'scheduled';

export type AppointmentStatusChanged = Event<
  'AppointmentStatusChanged',
  { appointmentId: string; status: CalcomAppointmentStatus; previousStatus: string; trigger: string }
>;

export type AppointmentEvent =
  | AppointmentStatusChanged
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
];

export const appointmentStreamPrefix = 'appointment-';
export const appointmentStream = (appointmentId: string): string => `${appointmentStreamPrefix}${appointmentId}`;
