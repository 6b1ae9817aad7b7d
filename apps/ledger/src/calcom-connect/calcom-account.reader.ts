import { type CalcomClient, type CalcomEventType, type CalcomMe, isCalcomError } from '#calcom';
import { CalcomUnavailableError, type CalcomBookingLevel, isStoredId } from '#domain';
import { CalcomBookingReader } from '../drift/calcom-booking-reader.js';
import type { AccountEventType, CalcomHost } from './catalog-proposal.js';

export type CalcomAccountApi = Pick<
  CalcomClient,
  'me' | 'listTeams' | 'listTeamEventTypes' | 'listEventTypesOf' | 'listBookings' | 'getBooking' | 'listWebhooks' | 'createWebhook' | 'updateWebhook' | 'deleteWebhook'
>;

export interface CalcomAccount {
  owner: Pick<CalcomMe, 'id' | 'username' | 'email' | 'timeZone'>;
  hosts: CalcomHost[];
  eventTypes: AccountEventType[];
}

/** Far enough ahead that no real booking is left out of "every upcoming booking". */
const UPCOMING_YEARS = 10;

/**
 * What connecting reads from Cal.com, and nothing it changes: the key owner (`/v2/me`), its teams and their event
 * types with hosts (`/v2/teams`, `/v2/teams/{id}/event-types`), each host's personal event types
 * (`/v2/event-types?username=`), and the bookings (`/v2/bookings`, 250 a page, through the drift check's reader).
 */
export class CalcomAccountReader {
  constructor(private readonly api: CalcomAccountApi) {}

  async read(): Promise<CalcomAccount> {
    const me = await this.api.me();
    if (!isStoredId(me?.id) || typeof me.username !== 'string') throw new CalcomUnavailableError('/v2/me answered without a user id and username');
    const hosts = new Map<number, CalcomHost>([[me.id, { userId: me.id, username: me.username, name: me.username, email: me.email }]]);
    const eventTypes: AccountEventType[] = [];
    for (const team of (await this.teams()).filter((candidate) => isStoredId(candidate?.id))) {
      for (const eventType of await this.api.listTeamEventTypes(team.id)) {
        if (!isReadable(eventType)) continue;
        // What Cal.com says is not trusted to be well formed: a host without a whole-number id is no host.
        const teamHosts = (Array.isArray(eventType.hosts) ? eventType.hosts : []) as { userId: unknown; name?: unknown; username?: unknown }[];
        const hostIds = teamHosts.map((host) => host?.userId).filter(isStoredId);
        for (const host of teamHosts) {
          if (!isStoredId(host?.userId) || hosts.has(host.userId)) continue;
          const username = typeof host.username === 'string' && host.username !== '' ? host.username : `user-${host.userId}`;
          hosts.set(host.userId, { userId: host.userId, username, name: typeof host.name === 'string' ? host.name : '', email: null });
        }
        eventTypes.push(accountEventType(eventType, team.id, hostIds));
      }
    }
    for (const host of [...hosts.values()]) {
      for (const eventType of await this.api.listEventTypesOf(host.username).catch(notFoundAsNone)) {
        if (!isReadable(eventType) || eventTypes.some((known) => known.id === eventType.id)) continue;
        eventTypes.push(accountEventType(eventType, null, [isStoredId(eventType.ownerId) ? eventType.ownerId : host.userId]));
      }
    }
    return { owner: { id: me.id, username: me.username, email: me.email, timeZone: me.timeZone }, hosts: [...hosts.values()], eventTypes };
  }

  /** Every booking that ends after `from`, whatever its status, and the bookings they replaced (for the uid chains). */
  async bookingsSince(from: Date, now: Date): Promise<CalcomBookingLevel[]> {
    const reader = new CalcomBookingReader(this.api);
    const to = new Date(now.getTime());
    to.setUTCFullYear(to.getUTCFullYear() + UPCOMING_YEARS);
    const { bookings } = await reader.readWindow({ from: from.toISOString(), to: to.toISOString() });
    // A booking moved into the window from before it: read the ones it replaced, one by one, so its chain is whole.
    const known = new Set(bookings.map((booking) => booking.uid));
    for (let missing = predecessorsMissing(bookings, known); missing.length > 0; missing = predecessorsMissing(bookings, known)) {
      for (const uid of missing) known.add(uid);
      bookings.push(...(await reader.readByUids(missing)));
    }
    return bookings;
  }

  private async teams() {
    return this.api.listTeams().catch(notFoundAsNone);
  }
}

function predecessorsMissing(bookings: readonly CalcomBookingLevel[], known: Set<string>): string[] {
  return [...new Set(bookings.map((booking) => booking.rescheduledFromUid).filter((uid): uid is string => !!uid && !known.has(uid)))];
}

/** An event type with the fields a service is made of: a whole-number id and length, and a title. */
function isReadable(eventType: CalcomEventType): boolean {
  return isStoredId(eventType?.id) && typeof eventType.title === 'string' && Number.isInteger(eventType.lengthInMinutes);
}

function accountEventType(eventType: CalcomEventType, teamId: number | null, hostUserIds: number[]): AccountEventType {
  const scheduling = String(eventType.schedulingType ?? '')
    .toLowerCase()
    .replace(/_/g, '');
  return {
    id: eventType.id,
    title: eventType.title,
    lengthInMinutes: eventType.lengthInMinutes,
    teamId,
    roundRobin: teamId !== null && scheduling === 'roundrobin',
    hostUserIds,
  };
}

/** A user with no event types, or an account without teams, is answered 404 by some Cal.com versions. */
function notFoundAsNone(error: unknown): never[] {
  if (isCalcomError(error) && error.code === 'CALCOM_NOT_FOUND') return [];
  throw error;
}
