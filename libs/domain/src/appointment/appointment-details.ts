import type { Appointment } from './appointment.decider.js';
import type { Customer } from './appointment.events.js';

/**
 * What every reader is shown of an appointment, declared once: the API's answer, the list's rows and the ledger's
 * side of a drift check each build on it.
 */
export interface AppointmentDetails {
  appointmentId: string;
  /** scheduled, requested, rejected, no_show, arrived, completed, cancelled, … (AppointmentStatus) */
  status: string;
  startsAt: string;
  endsAt: string;
  staffId: string;
  serviceId: string;
  customer: Customer;
  /** The appointment's event count: the same number as `GET /appointments/{id}`, its ETag and `If-Match`. */
  version: number;
}

/** What an appointment's state (its stream, folded) shows a reader, with notes and cancellation reason; `version` is its event count. */
export function appointmentDetails(state: Exclude<Appointment, { status: 'initial' }>, version: number) {
  const { appointmentId, status, startsAt, endsAt, staffId, serviceId, customer, notes, cancellationReason } = state;
  return { appointmentId, status, startsAt, endsAt, staffId, serviceId, customer, notes, cancellationReason, version };
}
