import { canonicalJson } from '../canonical-json.js';
import type { Decider } from '../decider.js';
import { AppointmentCancelledError, AppointmentExistsError, NotFoundError, StaffUnavailableError, ValidationFailedError } from '../errors.js';
import type { AppointmentCommand, ScheduleAppointment } from './appointment.commands.js';
import { decideDeskAction } from './appointment-desk.decisions.js';
import type { AppointmentEvent, AppointmentScheduled, CalcomAppointmentStatus, ContactField, LedgerOnlyStatus } from './appointment.events.js';

export { notSyncedWithCalcom } from './appointment-desk.decisions.js';

export type AppointmentStatus = 'cancelled' | CalcomAppointmentStatus | LedgerOnlyStatus;

/** Once scheduled: what was scheduled as it stands now (times, staff, service, contact), and what the ledger adds. */
export type Appointment =
  | { status: 'initial' }
  | (AppointmentScheduled['data'] & {
      status: AppointmentStatus;
      cancellationReason: string | null;
      /** As first scheduled: a retried schedule command is recognised against this, whatever happened since. */
      scheduledAs: AppointmentScheduled['data'];
      /** The ledger's own confirm or decline of a requested booking, until Cal.com asks for confirmation again. */
      hostDecision?: 'confirmed' | 'declined' | null;
      /** What taking a no-show back restores. */
      statusBeforeNoShow?: string | null;
      /** Contact fields the desk changed: Cal.com's booking keeps what it was booked with. */
      contactChanged?: ContactField[];
    });

type Existing = Exclude<Appointment, { status: 'initial' }>;

export const initialState = (): Appointment => ({ status: 'initial' });

export function decide(command: AppointmentCommand, state: Appointment): AppointmentEvent[] {
  const { type, data } = command;
  if (type === 'ScheduleAppointment') return schedule(command, state);
  const appointment = existing(state, data.appointmentId);

  switch (type) {
    case 'CancelAppointment':
      if (appointment.status === 'cancelled') throw new AppointmentCancelledError(data.appointmentId);
      return [{ type: 'AppointmentCancelled', data: { appointmentId: data.appointmentId, reason: data.reason } }];

    case 'RescheduleAppointment': {
      assertActive(appointment);
      if (sameInstant(data.startsAt, appointment.startsAt)) return [];
      assertInFuture(data.startsAt, data.now);
      assertAvailable(appointment.staffId, data.overlapping);
      return [
        {
          type: 'AppointmentRescheduled',
          data: {
            appointmentId: data.appointmentId,
            startsAt: toUtc(data.startsAt),
            endsAt: addMinutes(data.startsAt, data.durationMinutes),
            previousStartsAt: appointment.startsAt,
            previousEndsAt: appointment.endsAt,
          },
        },
      ];
    }

    case 'ReassignStaff':
      assertActive(appointment);
      if (data.staffId === appointment.staffId) return [];
      assertAvailable(data.staffId, data.overlapping);
      return [
        {
          type: 'StaffReassigned',
          data: { appointmentId: data.appointmentId, staffId: data.staffId, previousStaffId: appointment.staffId },
        },
      ];

    case 'ChangeService':
      assertActive(appointment);
      if (data.serviceId === appointment.serviceId) return [];
      assertAvailable(appointment.staffId, data.overlapping);
      return [
        {
          type: 'ServiceChanged',
          data: {
            appointmentId: data.appointmentId,
            serviceId: data.serviceId,
            previousServiceId: appointment.serviceId,
            endsAt: addMinutes(appointment.startsAt, data.durationMinutes),
            previousEndsAt: appointment.endsAt,
          },
        },
      ];

    case 'ConfirmAppointment':
    case 'DeclineAppointment':
    case 'MarkNoShow':
    case 'CheckIn':
    case 'CompleteAppointment':
    case 'ChangeContactDetails':
      return decideDeskAction(command, {
        ...appointment,
        hostDecision: appointment.hostDecision ?? null,
        statusBeforeNoShow: appointment.statusBeforeNoShow ?? null,
      });

    default: {
      const unknown: never = command;
      throw new ValidationFailedError(`Unknown command ${(unknown as { type: string }).type}`);
    }
  }
}

export function evolve(state: Appointment, event: AppointmentEvent): Appointment {
  const { type, data } = event;
  if (type === 'AppointmentScheduled') return { status: 'scheduled', ...data, cancellationReason: null, scheduledAs: data };
  if (state.status === 'initial') return state;

  switch (type) {
    case 'AppointmentRescheduled':
      return { ...state, startsAt: data.startsAt, endsAt: data.endsAt };
    case 'AppointmentCancelled':
      return { ...state, status: 'cancelled', cancellationReason: data.reason };
    case 'StaffReassigned':
      return { ...state, staffId: data.staffId };
    case 'ServiceChanged':
      return { ...state, serviceId: data.serviceId, endsAt: data.endsAt };
    case 'AppointmentStatusChanged':
      return {
        ...state,
        status: data.status,
        ...(data.status === 'requested' ? { hostDecision: null } : {}),
        ...(data.status === 'no_show' ? { statusBeforeNoShow: data.previousStatus } : {}),
      };
    case 'AppointmentConfirmed':
      return { ...state, status: 'scheduled', hostDecision: 'confirmed' };
    case 'AppointmentDeclined':
      return { ...state, status: 'rejected', hostDecision: 'declined', cancellationReason: data.reason };
    case 'NoShowMarked':
      return { ...state, status: 'no_show', statusBeforeNoShow: data.previousStatus };
    case 'NoShowUndone':
      return { ...state, status: data.status, statusBeforeNoShow: null };
    case 'CustomerCheckedIn':
      return { ...state, status: 'arrived' };
    case 'AppointmentCompleted':
      return { ...state, status: 'completed' };
    case 'ContactDetailsChanged':
      return { ...state, customer: data.customer, notes: data.notes, contactChanged: [...new Set([...(state.contactChanged ?? []), ...data.changed])] };
    default: {
      // An event type this code does not know (written by a newer version) changes nothing, as in the projections.
      const unknown: never = event;
      void unknown;
      return state;
    }
  }
}

export const appointmentDecider: Decider<AppointmentCommand, Appointment, AppointmentEvent> = {
  decide,
  evolve,
  initialState,
};

/** Scheduling the same appointment again with the same details is a harmless retry; different details are a clash. */
function schedule({ data }: ScheduleAppointment, state: Appointment): AppointmentEvent[] {
  const scheduled: AppointmentScheduled['data'] = {
    appointmentId: data.appointmentId,
    serviceId: data.serviceId,
    staffId: data.staffId,
    startsAt: toUtc(data.startsAt),
    endsAt: addMinutes(data.startsAt, data.durationMinutes),
    customer: data.customer,
    notes: data.notes,
  };
  if (state.status !== 'initial') {
    if (canonicalJson(state.scheduledAs) === canonicalJson(scheduled)) return [];
    throw new AppointmentExistsError(data.appointmentId);
  }
  assertInFuture(data.startsAt, data.now);
  assertAvailable(data.staffId, data.overlapping);
  return [{ type: 'AppointmentScheduled', data: scheduled }];
}

function existing(state: Appointment, appointmentId: string): Existing {
  if (state.status === 'initial') throw new NotFoundError('appointment', appointmentId);
  return state;
}

function assertActive(appointment: Existing): void {
  if (appointment.status === 'cancelled') throw new AppointmentCancelledError(appointment.appointmentId);
}

function assertInFuture(startsAt: string, now: string): void {
  if (Date.parse(startsAt) <= Date.parse(now)) {
    throw new ValidationFailedError('The start must be in the future', { field: 'startsAt', startsAt, now });
  }
}

function assertAvailable(staffId: string, overlapping: readonly string[]): void {
  if (overlapping.length > 0) throw new StaffUnavailableError(staffId, overlapping);
}

const sameInstant = (a: string, b: string): boolean => Date.parse(a) === Date.parse(b);
const toUtc = (iso: string): string => new Date(iso).toISOString();
const addMinutes = (iso: string, minutes: number): string => new Date(Date.parse(iso) + minutes * 60_000).toISOString();
