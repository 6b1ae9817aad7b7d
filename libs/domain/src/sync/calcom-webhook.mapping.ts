import type { Appointment } from '../appointment/appointment.decider.js';
import type { Customer } from '../appointment/appointment.events.js';
import type { BookingCopy, ConflictSide } from './calcom-sync.events.js';
import type { CalcomSyncState } from './calcom-sync.state.js';
import type { CalcomWebhook } from './calcom-webhook.parser.js';

/** The part of the catalog that maps Cal.com's hosts and event types to the ledger's staff and services. */
export interface CatalogLookup {
  staff: readonly { staffId: string; email: string; calcomUserId: number | null }[];
  services: readonly { serviceId: string; calcomEventTypeIds: Readonly<Record<string, number>> }[];
}

export type ExistingAppointment = Exclude<Appointment, { status: 'initial' }>;

/** Staff by the organizer's Cal.com user id (`staff.calcomUserId`), else by the organizer's e-mail. */
export function staffForHost(catalog: CatalogLookup, webhook: CalcomWebhook): string | null {
  const byId = webhook.hostUserId === null ? undefined : catalog.staff.find((staff) => staff.calcomUserId === webhook.hostUserId);
  if (byId) return byId.staffId;
  const email = webhook.hostEmail?.toLowerCase();
  return (email && catalog.staff.find((staff) => staff.email.toLowerCase() === email)?.staffId) || null;
}

/** The service that books this event type with this staff member; failing that, the only service that uses it at all. */
export function serviceForEventType(catalog: CatalogLookup, eventTypeId: number | null, staffId: string | null): string | null {
  if (eventTypeId === null) return null;
  const exact = staffId ? catalog.services.find((service) => service.calcomEventTypeIds[staffId] === eventTypeId) : undefined;
  if (exact) return exact.serviceId;
  const using = catalog.services.filter((service) => Object.values(service.calcomEventTypeIds).includes(eventTypeId));
  return using.length === 1 ? using[0].serviceId : null;
}

export function customerOf(webhook: CalcomWebhook): Customer | null {
  const booker = webhook.attendees.find((attendee) => attendee.email) ?? null;
  if (!booker?.email) return null;
  return { name: booker.name ?? booker.email, email: booker.email, timeZone: booker.timeZone ?? 'UTC', phone: booker.phone };
}

/** The booking as the webhook reports it: one link of the uid chain. */
export function bookingOf(webhook: CalcomWebhook, fallback: { start: string; end: string } | null = null): BookingCopy | null {
  const start = webhook.startsAt ?? fallback?.start;
  const end = webhook.endsAt ?? fallback?.end;
  if (!webhook.bookingUid || !start || !end) return null;
  return {
    uid: webhook.bookingUid,
    start,
    end,
    eventTypeId: webhook.eventTypeId ?? 0,
    hostUserId: webhook.hostUserId,
    status: statusOf(webhook),
    rescheduledFromUid: webhook.rescheduleUid,
    rescheduledToUid: null,
  };
}

function statusOf(webhook: CalcomWebhook): string {
  if (webhook.triggerEvent === 'BOOKING_CANCELLED') return 'cancelled';
  if (webhook.triggerEvent === 'BOOKING_REJECTED') return 'rejected';
  if (webhook.triggerEvent === 'BOOKING_REQUESTED') return 'pending';
  return webhook.status ?? 'accepted';
}

export function ledgerSide(appointment: ExistingAppointment, bookingUid: string | null): ConflictSide {
  return {
    status: appointment.status,
    startsAt: appointment.startsAt,
    endsAt: appointment.endsAt,
    staffId: appointment.staffId,
    serviceId: appointment.serviceId,
    bookingUid,
  };
}

/** Cal.com's side in the ledger's terms; a host or event type the catalog does not know keeps the ledger's value. */
export function calcomSide(webhook: CalcomWebhook, appointment: ExistingAppointment, catalog: CatalogLookup): ConflictSide {
  const staffId = staffForHost(catalog, webhook) ?? appointment.staffId;
  return {
    status: sideStatus(webhook.triggerEvent),
    startsAt: webhook.startsAt ?? appointment.startsAt,
    endsAt: webhook.endsAt ?? appointment.endsAt,
    staffId,
    serviceId: serviceForEventType(catalog, webhook.eventTypeId, staffId) ?? appointment.serviceId,
    bookingUid: webhook.bookingUid,
  };
}

/** A requested (pending) or declined booking keeps that status on Cal.com's side of a conflict. */
function sideStatus(triggerEvent: string): string {
  if (triggerEvent === 'BOOKING_CANCELLED') return 'cancelled';
  if (triggerEvent === 'BOOKING_REQUESTED') return 'requested';
  if (triggerEvent === 'BOOKING_REJECTED') return 'rejected';
  return 'scheduled';
}

export const sameInstant = (a: string | null, b: string | null): boolean => a !== null && b !== null && Date.parse(a) === Date.parse(b);

/**
 * Whether the sync is creating (or has created) a booking like the one reported: same event type, start and attendee.
 * Recognises the echo of the ledger's own create when the booking's metadata did not come back.
 */
export function isCreateBySync(sync: CalcomSyncState, webhook: CalcomWebhook): boolean {
  const email = customerOf(webhook)?.email.toLowerCase();
  if (!email || !webhook.startsAt) return false;
  const operation = sync.inFlight;
  if (operation?.operation === 'create') {
    const request = operation.request as { eventTypeId?: unknown; start?: unknown; attendee?: { email?: unknown } };
    const requestEmail = typeof request.attendee?.email === 'string' ? request.attendee.email.toLowerCase() : null;
    return request.eventTypeId === webhook.eventTypeId && typeof request.start === 'string' && sameInstant(request.start, webhook.startsAt) && requestEmail === email;
  }
  const booking = sync.booking;
  return !!booking && booking.eventTypeId === webhook.eventTypeId && sameInstant(booking.start, webhook.startsAt) && booking.status !== 'cancelled';
}

/**
 * The ledger and the booking Cal.com last showed agree (level, not history): same liveness and start, and host and
 * event type where the catalog can tell. A ledger that agrees has nothing Cal.com has not seen, whatever the versions say.
 */
export function ledgerMatchesBooking(appointment: ExistingAppointment, booking: BookingCopy | null, catalog: CatalogLookup): boolean {
  if (!booking) return false;
  const bookingActive = booking.status !== 'cancelled' && booking.status !== 'rejected';
  if ((appointment.status !== 'cancelled') !== bookingActive) return false;
  if (!bookingActive) return true;
  if (!sameInstant(appointment.startsAt, booking.start)) return false;
  const hostId = catalog.staff.find((staff) => staff.staffId === appointment.staffId)?.calcomUserId ?? null;
  if (hostId !== null && booking.hostUserId !== null && hostId !== booking.hostUserId) return false;
  const eventTypeId = catalog.services.find((service) => service.serviceId === appointment.serviceId)?.calcomEventTypeIds[appointment.staffId];
  return eventTypeId === undefined || !booking.eventTypeId || eventTypeId === booking.eventTypeId;
}
