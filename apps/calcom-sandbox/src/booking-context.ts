import type { BookingRecord, BookingStore } from './booking-store.js';
import { eligibleHosts, fixedHostIds, type SandboxCatalog, type SandboxEventType, type SandboxUser } from './catalog.js';
import { badRequest } from './sandbox-error.js';
import { contains, freeIntervals, type BusyCalendar } from './availability.js';
import type { SandboxBehaviours } from './behaviours.js';
import type { WebhookSender } from './webhook-sender.js';

/** What the booking rules work on: the table, the current catalog, the clock, and the webhook subscriber. */
export interface BookingContext {
  store: BookingStore;
  catalog(): SandboxCatalog;
  behaviours(): SandboxBehaviours;
  busy: BusyCalendar;
  now(): Date;
  webhooks: WebhookSender;
}

// errors.service.ts: the team message when Cal.com picked among several hosts, the user one otherwise.
const HOSTS_UNAVAILABLE = 'One of the hosts either already has booking at this time or is not available';
const USER_UNAVAILABLE = 'User either already has booking at this time or is not available';

export function bookingTitle(eventType: SandboxEventType, host: SandboxUser, attendeeName: string): string {
  return `${eventType.title} between ${host.name} and ${attendeeName}`;
}

/** The catalog's current version of a booking's event type, or the one it was booked with if it has since gone. */
export function currentEventType(context: BookingContext, record: BookingRecord): SandboxEventType {
  return context.catalog().eventTypes.find((eventType) => eventType.id === record.eventType.id) ?? record.eventType;
}

export interface ChosenHosts {
  host: SandboxUser;
  teamMember?: SandboxUser;
}

/**
 * Whether a user can take [start, end): inside their working hours, and no accepted or pending booking of theirs nor
 * busy block overlaps it (ensureAvailableUsers.ts via getUserAvailability).
 */
export function isFree(context: BookingContext, user: SandboxUser, start: Date, end: Date, ignoreUid?: string): boolean {
  const free = freeIntervals(user, start.getTime(), end.getTime(), context.store, context.busy, ignoreUid);
  return contains(free, start.getTime(), end.getTime());
}

/**
 * The hosts of a booking at [start, end). Without fixed hosts: the preferred one if free (a reschedule keeps its host
 * when it can), otherwise for round-robin the free host with the fewest active bookings (Cal.com's "lucky user",
 * simplified), in catalog order. With fixed hosts (handleNewBooking.ts: fixed users must all be available, one lucky
 * user is added from the others, and users[0], a fixed host, organizes): the first fixed host organizes and the
 * round-robin pick joins as `teamMember`.
 */
export function chooseHosts(
  context: BookingContext,
  eventType: SandboxEventType,
  start: Date,
  end: Date,
  options: { ignoreUid?: string; preferHostId?: number } = {},
): ChosenHosts {
  const fixed = fixedHostIds(eventType);
  const hosts = eligibleHosts(context.catalog(), eventType);
  const unavailable = () => badRequest(eventType.schedulingType === 'ROUND_ROBIN' ? HOSTS_UNAVAILABLE : USER_UNAVAILABLE);
  // Minimum notice removes the early slots for every host, so Cal.com finds no available user at all.
  const notice = eventType.minimumBookingNoticeMinutes ?? 0;
  if (notice > 0 && start.getTime() < context.now().getTime() + notice * 60_000) throw unavailable();
  const fixedHosts = hosts.filter((host) => fixed.has(host.id));
  if (fixedHosts.some((host) => !isFree(context, host, start, end, options.ignoreUid))) throw unavailable();
  const free = hosts.filter((host) => !fixed.has(host.id) && isFree(context, host, start, end, options.ignoreUid));
  const organizer = fixedHosts[0];
  if (free.length === 0) {
    if (organizer) return { host: organizer };
    throw unavailable();
  }
  const preferred = free.find((host) => host.id === options.preferHostId);
  const activeBookings = (host: SandboxUser) =>
    context.store.all().filter((record) => (record.host.id === host.id || record.teamMember?.id === host.id) && (record.status === 'ACCEPTED' || record.status === 'PENDING'))
      .length;
  const picked = preferred ?? free.reduce((best, host) => (activeBookings(host) < activeBookings(best) ? host : best));
  return organizer ? { host: organizer, teamMember: picked } : { host: picked };
}

export function refuseStartInThePast(start: Date, now: Date): void {
  if (start.getTime() < now.getTime()) throw badRequest('Attempting to book a meeting in the past.');
}
