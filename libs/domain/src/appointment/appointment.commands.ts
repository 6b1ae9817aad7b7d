import type { Command } from '../event.js';
import type { Customer } from './appointment.events.js';

/**
 * Commands carry everything the decision needs, resolved by the application beforehand: the current time,
 * the service's duration from the catalog, and the appointments that would overlap on the staff member's calendar.
 */
type Decided = {
  now: string;
  /** Active appointments of the (new) staff member that overlap the resulting time window, this one excluded. */
  overlapping: readonly string[];
};

export type ScheduleAppointment = Command<
  'ScheduleAppointment',
  Decided & {
    appointmentId: string;
    serviceId: string;
    staffId: string;
    startsAt: string;
    durationMinutes: number;
    customer: Customer;
    notes: string | null;
  }
>;

export type RescheduleAppointment = Command<'RescheduleAppointment', Decided & { appointmentId: string; startsAt: string; durationMinutes: number }>;

export type CancelAppointment = Command<'CancelAppointment', { appointmentId: string; reason: string }>;

export type ReassignStaff = Command<'ReassignStaff', Decided & { appointmentId: string; staffId: string }>;

export type ChangeService = Command<'ChangeService', Decided & { appointmentId: string; serviceId: string; durationMinutes: number }>;

export type ConfirmAppointment = Command<'ConfirmAppointment', { appointmentId: string }>;

export type DeclineAppointment = Command<'DeclineAppointment', { appointmentId: string; reason: string | null }>;

/** `absent: false` takes a no-show back. Cal.com refuses either before the start, and so does the ledger. */
export type MarkNoShow = Command<'MarkNoShow', { appointmentId: string; absent: boolean; now: string }>;

export type CheckIn = Command<'CheckIn', { appointmentId: string; now: string }>;

export type CompleteAppointment = Command<'CompleteAppointment', { appointmentId: string; now: string }>;

/** Only the fields given change; `phone: null` and `notes: null` clear them. */
export type ChangeContactDetails = Command<'ChangeContactDetails', { appointmentId: string; customer: Partial<Pick<Customer, 'name' | 'email' | 'phone'>>; notes?: string | null }>;

export type DeskCommand = ConfirmAppointment | DeclineAppointment | MarkNoShow | CheckIn | CompleteAppointment | ChangeContactDetails;

export type AppointmentCommand = ScheduleAppointment | RescheduleAppointment | CancelAppointment | ReassignStaff | ChangeService | DeskCommand;
