import type { BookingRecord, BookingStore } from './booking-store.js';
import { eligibleHosts, type SandboxCatalog, type SandboxEventType, type SandboxUser } from './catalog.js';
import { badRequest } from './sandbox-error.js';
import type { SandboxBehaviours } from './behaviours.js';
import type { WebhookSender } from './webhook-sender.js';

/** What the booking rules work on: the table, the current catalog, the clock, and the webhook subscriber. */
export interface BookingContext {
  store: BookingStore;
  catalog(): SandboxCatalog;
  behaviours(): SandboxBehaviours;
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

/**
 * A host free for [start, end): the preferred one if free (a reschedule keeps its host when it can), otherwise for
 * round-robin the free host with the fewest active bookings (Cal.com's "lucky user", simplified), in catalog order.
 */
export function chooseHost(
  context: BookingContext,
  eventType: SandboxEventType,
  start: Date,
  end: Date,
  options: { ignoreUid?: string; preferHostId?: number } = {},
): SandboxUser {
  const free = eligibleHosts(context.catalog(), eventType).filter(
    (host) => context.store.overlapping(host.id, start, end, options.ignoreUid).length === 0,
  );
  const preferred = free.find((host) => host.id === options.preferHostId);
  if (preferred) return preferred;
  if (free.length === 0) throw badRequest(eventType.schedulingType === 'ROUND_ROBIN' ? HOSTS_UNAVAILABLE : USER_UNAVAILABLE);
  const activeBookings = (host: SandboxUser) =>
    context.store.all().filter((record) => record.host.id === host.id && (record.status === 'ACCEPTED' || record.status === 'PENDING')).length;
  return free.reduce((best, host) => (activeBookings(host) < activeBookings(best) ? host : best));
}

export function refuseStartInThePast(start: Date, now: Date): void {
  if (start.getTime() < now.getTime()) throw badRequest('Attempting to book a meeting in the past.');
}
