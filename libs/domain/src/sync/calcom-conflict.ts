import type { AppointmentEvent } from '../appointment/appointment.events.js';
import { ConflictResolvedError } from '../errors.js';
import type { BookingCopy, CalcomSyncEvent, ConflictSide } from './calcom-sync.events.js';
import type { CalcomSyncState } from './calcom-sync.state.js';
import { sameInstant, type ExistingAppointment } from './calcom-webhook.mapping.js';

/** Who settles a conflict: a person through `POST /conflicts/{id}/resolve`, or the configured side at once. */
export type ConflictPolicy = 'manual' | 'ledger-wins' | 'calcom-wins';
export type ConflictKeep = 'ledger' | 'calcom';

export interface ConflictEvents {
  appointmentEvents: AppointmentEvent[];
  syncEvents: CalcomSyncEvent[];
}

export interface DetectedConflict {
  appointmentId: string;
  conflictId: string;
  factId: string | null;
  appointment: ExistingAppointment;
  ledger: ConflictSide;
  calcom: ConflictSide;
  summary: string;
  /** Cal.com's booking as reported, recorded so that "keep ledger" knows what to change back. */
  booking: BookingCopy | null;
  policy: ConflictPolicy;
}

/**
 * The conflict goes on the record with Cal.com's booking; under a policy it is settled in the same breath,
 * so an auditor still sees that there was one and who decided it.
 */
export function recordConflict(conflict: DetectedConflict): ConflictEvents {
  const { appointmentId, conflictId, factId, ledger, calcom, summary, booking, policy } = conflict;
  const detected: CalcomSyncEvent[] = [{ type: 'SyncConflictDetected', data: { appointmentId, conflictId, ledger, calcom, factId, summary } }];
  if (booking) detected.push({ type: 'CalcomBookingObserved', data: { appointmentId, booking, via: 'webhook', factId } });
  if (policy === 'manual') return { appointmentEvents: [], syncEvents: detected };
  const keep: ConflictKeep = policy === 'ledger-wins' ? 'ledger' : 'calcom';
  const settled = settle(appointmentId, conflictId, conflict.appointment, calcom, keep, 'policy');
  return { appointmentEvents: settled.appointmentEvents, syncEvents: [...detected, ...settled.syncEvents] };
}

/** A person's choice. Only the open conflict can be resolved, once. */
export function resolveConflict(appointmentId: string, conflictId: string, appointment: ExistingAppointment, sync: CalcomSyncState, keep: ConflictKeep): ConflictEvents {
  if (sync.openConflict?.conflictId !== conflictId) throw new ConflictResolvedError(conflictId);
  return settle(appointmentId, conflictId, appointment, sync.openConflict.calcom, keep, 'person');
}

function settle(
  appointmentId: string,
  conflictId: string,
  appointment: ExistingAppointment,
  calcom: ConflictSide,
  keep: ConflictKeep,
  decidedBy: 'person' | 'policy',
): ConflictEvents {
  return {
    appointmentEvents: keep === 'calcom' ? eventsToMatch(appointment, calcom) : [],
    syncEvents: [{ type: 'SyncConflictResolved', data: { appointmentId, conflictId, keep, decidedBy } }],
  };
}

/** The appointment events that bring the ledger to Cal.com's side ("keep calcom"). */
export function eventsToMatch(appointment: ExistingAppointment, side: ConflictSide): AppointmentEvent[] {
  const { appointmentId } = appointment;
  if (side.status === 'cancelled') {
    return appointment.status === 'cancelled' ? [] : [{ type: 'AppointmentCancelled', data: { appointmentId, reason: 'Cancelled on Cal.com (conflict resolved for Cal.com)' } }];
  }
  const events: AppointmentEvent[] = [];
  // A reschedule Cal.com holds for confirmation (or that the host declined) keeps that status (issue 10).
  const status = side.status === 'requested' || side.status === 'rejected' ? side.status : 'scheduled';
  if (appointment.status === 'cancelled' || (status !== 'scheduled' && appointment.status !== status)) {
    events.push({ type: 'AppointmentStatusChanged', data: { appointmentId, status, previousStatus: appointment.status, trigger: 'SyncConflictResolved' } });
  }
  let endsAt = appointment.endsAt;
  if (side.startsAt && (!sameInstant(side.startsAt, appointment.startsAt) || (side.endsAt && !sameInstant(side.endsAt, endsAt)))) {
    const newEnd = side.endsAt ?? new Date(Date.parse(side.startsAt) + Date.parse(appointment.endsAt) - Date.parse(appointment.startsAt)).toISOString();
    events.push({
      type: 'AppointmentRescheduled',
      data: { appointmentId, startsAt: side.startsAt, endsAt: newEnd, previousStartsAt: appointment.startsAt, previousEndsAt: endsAt },
    });
    endsAt = newEnd;
  }
  if (side.staffId && side.staffId !== appointment.staffId) {
    events.push({ type: 'StaffReassigned', data: { appointmentId, staffId: side.staffId, previousStaffId: appointment.staffId } });
  }
  if (side.serviceId && side.serviceId !== appointment.serviceId) {
    events.push({
      type: 'ServiceChanged',
      data: { appointmentId, serviceId: side.serviceId, previousServiceId: appointment.serviceId, endsAt, previousEndsAt: endsAt },
    });
  }
  return events;
}
