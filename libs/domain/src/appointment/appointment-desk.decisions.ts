import { AppointmentCancelledError, AppointmentNotStartedError, AppointmentStatusConflictError } from '../errors.js';
import type { ChangeContactDetails, DeskCommand, MarkNoShow } from './appointment.commands.js';
import type { AppointmentEvent, AppointmentStatusAfterNoShow, ContactField, Customer } from './appointment.events.js';

/**
 * The desk's actions on an appointment that exists: a host's confirm or decline, a no-show and taking it back,
 * check-in and check-out, and contact corrections. Repeating an action that already took effect changes nothing (a
 * client's retry is harmless); an action the status does not allow is a 409 naming the statuses it needs.
 */
export interface DeskState {
  appointmentId: string;
  status: string;
  startsAt: string;
  customer: Customer;
  notes: string | null;
  /** Set by the ledger's own confirm or decline: Cal.com's booking still has to hear it. */
  hostDecision: 'confirmed' | 'declined' | null;
  statusBeforeNoShow: string | null;
}

const NO_SHOW_FROM = ['scheduled', 'arrived', 'completed'] as const;

export function decideDeskAction(command: DeskCommand, state: DeskState): AppointmentEvent[] {
  const { appointmentId } = state;
  if (state.status === 'cancelled') throw new AppointmentCancelledError(appointmentId);
  switch (command.type) {
    case 'ConfirmAppointment':
      if (state.status === 'scheduled' && state.hostDecision === 'confirmed') return [];
      requireStatus(state, 'confirm', ['requested']);
      return [{ type: 'AppointmentConfirmed', data: { appointmentId } }];
    case 'DeclineAppointment':
      if (state.status === 'rejected' && state.hostDecision === 'declined') return [];
      requireStatus(state, 'decline', ['requested']);
      return [{ type: 'AppointmentDeclined', data: { appointmentId, reason: command.data.reason } }];
    case 'MarkNoShow':
      return markNoShow(command, state);
    case 'CheckIn':
      if (state.status === 'arrived') return [];
      requireStatus(state, 'check-in', ['scheduled']);
      return [{ type: 'CustomerCheckedIn', data: { appointmentId, at: command.data.now } }];
    case 'CompleteAppointment':
      if (state.status === 'completed') return [];
      requireStatus(state, 'complete', ['scheduled', 'arrived']);
      return [{ type: 'AppointmentCompleted', data: { appointmentId, at: command.data.now, previousStatus: state.status } }];
    case 'ChangeContactDetails':
      return changeContact(command, state);
    default: {
      const unknown: never = command;
      return unknown;
    }
  }
}

function markNoShow({ data }: MarkNoShow, state: DeskState): AppointmentEvent[] {
  const { appointmentId } = state;
  const isNoShow = state.status === 'no_show';
  if (data.absent === isNoShow) return [];
  if (data.absent) requireStatus(state, 'no-show', NO_SHOW_FROM);
  if (Date.parse(data.now) < Date.parse(state.startsAt)) throw new AppointmentNotStartedError(appointmentId, state.startsAt, data.now);
  if (data.absent) return [{ type: 'NoShowMarked', data: { appointmentId, previousStatus: state.status } }];
  return [{ type: 'NoShowUndone', data: { appointmentId, status: statusAfterNoShow(state.statusBeforeNoShow) } }];
}

function changeContact({ data }: ChangeContactDetails, state: DeskState): AppointmentEvent[] {
  const customer: Customer = { ...state.customer, ...data.customer };
  const notes = data.notes === undefined ? state.notes : data.notes;
  const changed: ContactField[] = [
    ...(customer.name !== state.customer.name ? ['customer.name' as const] : []),
    ...(customer.email !== state.customer.email ? ['customer.email' as const] : []),
    ...(customer.phone !== state.customer.phone ? ['customer.phone' as const] : []),
    ...(notes !== state.notes ? ['notes' as const] : []),
  ];
  if (changed.length === 0) return [];
  return [{ type: 'ContactDetailsChanged', data: { appointmentId: state.appointmentId, customer, notes, changed } }];
}

function requireStatus(state: DeskState, action: string, allowedFrom: readonly string[]): void {
  if (!allowedFrom.includes(state.status)) throw new AppointmentStatusConflictError(state.appointmentId, action, state.status, allowedFrom);
}

/** A no-show Cal.com reported for a status no-show does not come from (a pending booking) is taken back to scheduled. */
function statusAfterNoShow(before: string | null): AppointmentStatusAfterNoShow {
  return (NO_SHOW_FROM as readonly string[]).includes(before ?? '') ? (before as AppointmentStatusAfterNoShow) : 'scheduled';
}

/** Statuses Cal.com's booking has no word for: it stays accepted there. */
const LEDGER_ONLY_STATUSES: ReadonlySet<string> = new Set(['arrived', 'completed']);

/**
 * What the ledger holds that Cal.com's booking does not and cannot (API v2 2024-08-13 edits neither attendees nor
 * notes): shown as `calcom.notSynced`, and never drift.
 */
export function notSyncedWithCalcom(appointment: { status: string; contactChanged?: readonly ContactField[] }): string[] {
  return [...(LEDGER_ONLY_STATUSES.has(appointment.status) ? ['status'] : []), ...(appointment.contactChanged ?? [])];
}
