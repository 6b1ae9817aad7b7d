import type { AppointmentEvent, AppointmentScheduled, CalcomAppointmentStatus } from '../appointment/appointment.events.js';
import { type CatalogIndex, isLedgerActive, sameInstant } from './drift-sides.js';
import type { CalcomSide, LedgerSide } from './drift.types.js';

export interface Adoption {
  events: AppointmentEvent[];
  /** Why part of the booking could not be taken over (host or event type the catalog cannot map). */
  unresolved: string[];
}

const TRIGGER = 'reconciler';

/** The appointment events that bring the ledger to Cal.com's booking (Cal.com wins). A missing booking cancels. */
export function adoptBooking(ledger: LedgerSide, booking: CalcomSide | null, catalog: CatalogIndex): Adoption {
  const { appointmentId } = ledger;
  if (!booking || booking.status === 'cancelled') {
    if (ledger.status === 'cancelled') return { events: [], unresolved: [] };
    const reason = booking
      ? `Cancelled on Cal.com (booking ${booking.uid}), found by the reconciler`
      : `No booking on Cal.com (${ledger.bookingUid ?? 'never booked'}), found by the reconciler`;
    return { events: [{ type: 'AppointmentCancelled', data: { appointmentId, reason } }], unresolved: [] };
  }
  const events: AppointmentEvent[] = [];
  const status = ledgerStatusFor(booking.status, ledger.status);
  if (status !== ledger.status) {
    events.push({ type: 'AppointmentStatusChanged', data: { appointmentId, status, previousStatus: ledger.status, trigger: TRIGGER } });
  }
  if (!isLedgerActive(status)) return { events, unresolved: [] };
  const start = booking.start!;
  const end = booking.end!;
  let endsAt = ledger.endsAt;
  if (!sameInstant(start, ledger.startsAt) || !sameInstant(end, ledger.endsAt)) {
    events.push({
      type: 'AppointmentRescheduled',
      data: { appointmentId, startsAt: iso(start), endsAt: iso(end), previousStartsAt: ledger.startsAt, previousEndsAt: ledger.endsAt },
    });
    endsAt = iso(end);
  }
  const unresolved: string[] = [];
  if (booking.hostUserId !== ledger.expectedHostUserId || booking.eventTypeId !== ledger.expectedEventTypeId) {
    const target = catalog.resolve(booking.hostUserId, booking.eventTypeId!);
    if (!target) unresolved.push(`no staff member and service stand for host ${booking.hostUserId} with event type ${booking.eventTypeId}`);
    else {
      if (target.staffId !== ledger.staffId) {
        events.push({ type: 'StaffReassigned', data: { appointmentId, staffId: target.staffId, previousStaffId: ledger.staffId } });
      }
      if (target.serviceId !== ledger.serviceId) {
        events.push({ type: 'ServiceChanged', data: { appointmentId, serviceId: target.serviceId, previousServiceId: ledger.serviceId, endsAt, previousEndsAt: endsAt } });
      }
    }
  }
  return { events, unresolved };
}

/** A new appointment for a booking only Cal.com has; null when the catalog cannot say whose and what it is. */
export function appointmentFromBooking(appointmentId: string, booking: CalcomSide, catalog: CatalogIndex): AppointmentEvent[] | null {
  const target = booking.start && booking.end ? catalog.resolve(booking.hostUserId, booking.eventTypeId!) : null;
  if (!target) return null;
  const attendee = booking.attendee;
  const scheduled: AppointmentScheduled = {
    type: 'AppointmentScheduled',
    data: {
      appointmentId,
      serviceId: target.serviceId,
      staffId: target.staffId,
      startsAt: iso(booking.start!),
      endsAt: iso(booking.end!),
      customer: {
        name: attendee?.name ?? 'Unknown (from Cal.com)',
        email: attendee?.email ?? '',
        timeZone: attendee?.timeZone ?? 'UTC',
        phone: attendee?.phone ?? null,
      },
      notes: `Booked on Cal.com as ${booking.uid}; added by the reconciler`,
    },
  };
  const status = ledgerStatusFor(booking.status, 'scheduled');
  if (status === 'scheduled') return [scheduled];
  return [scheduled, { type: 'AppointmentStatusChanged', data: { appointmentId, status, previousStatus: 'scheduled', trigger: TRIGGER } }];
}

/** The ledger status that says what Cal.com's does; Cal.com's `accepted` leaves no-show and completed as they are. */
function ledgerStatusFor(calcomStatus: string, current: string): CalcomAppointmentStatus {
  switch (calcomStatus) {
    case 'pending':
      return 'requested';
    case 'rejected':
      return 'rejected';
    default:
      return current === 'completed' || current === 'no_show' ? current : 'scheduled';
  }
}

const iso = (value: string): string => new Date(value).toISOString();
