import { type AppointmentEvent, type Customer, versionAfter } from '#domain';
import type { RecordedEvent } from '#event-store';

/** An appointment row as the projection folds it: snake_case, the columns of `appointments`, times as ISO text. */
export interface AppointmentRecord {
  appointment_id: string;
  status: string;
  starts_at: string;
  ends_at: string;
  staff_id: string;
  service_id: string;
  customer: Customer;
  notes: string | null;
  cancellation_reason: string | null;
  version: number;
  created_at: string;
  updated_at: string;
}

/**
 * Events the row's version already counts were applied before (a replay) and change nothing.
 * Event types this projection does not know still move `version`, because it is the number the API hands out (the
 * stream's event count, the ETag). Pure: the same stream prefix always folds to the same row.
 */
export function applyAppointmentEvent(row: AppointmentRecord | null, recorded: RecordedEvent): AppointmentRecord | null {
  if (row && versionAfter(recorded.revision) <= row.version) return row;
  const event = { type: recorded.type, data: recorded.data } as AppointmentEvent;
  const moved = { version: versionAfter(recorded.revision), updated_at: recorded.recordedAt };
  if (event.type === 'AppointmentScheduled') {
    const { data } = event;
    return {
      appointment_id: data.appointmentId,
      status: 'scheduled',
      starts_at: data.startsAt,
      ends_at: data.endsAt,
      staff_id: data.staffId,
      service_id: data.serviceId,
      customer: data.customer,
      notes: data.notes,
      cancellation_reason: null,
      created_at: recorded.recordedAt,
      ...moved,
    };
  }
  // Nothing to change before the appointment exists; the domain's own fold ignores such events too.
  if (!row) return null;
  switch (event.type) {
    case 'AppointmentRescheduled':
      return { ...row, ...moved, starts_at: event.data.startsAt, ends_at: event.data.endsAt };
    case 'AppointmentCancelled':
      return { ...row, ...moved, status: 'cancelled', cancellation_reason: event.data.reason };
    case 'StaffReassigned':
      return { ...row, ...moved, staff_id: event.data.staffId };
    case 'ServiceChanged':
      return { ...row, ...moved, service_id: event.data.serviceId, ends_at: event.data.endsAt };
    case 'AppointmentStatusChanged':
      return { ...row, ...moved, status: event.data.status };
    // The desk's actions (issue 12): the same statuses and fields as the domain's fold.
    case 'AppointmentConfirmed':
      return { ...row, ...moved, status: 'scheduled' };
    case 'AppointmentDeclined':
      return { ...row, ...moved, status: 'rejected', cancellation_reason: event.data.reason };
    case 'NoShowMarked':
      return { ...row, ...moved, status: 'no_show' };
    case 'NoShowUndone':
      return { ...row, ...moved, status: event.data.status };
    case 'CustomerCheckedIn':
      return { ...row, ...moved, status: 'arrived' };
    case 'AppointmentCompleted':
      return { ...row, ...moved, status: 'completed' };
    case 'ContactDetailsChanged':
      return { ...row, ...moved, customer: event.data.customer, notes: event.data.notes };
    default:
      return { ...row, ...moved };
  }
}
