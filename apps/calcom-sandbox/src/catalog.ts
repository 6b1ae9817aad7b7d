import { parseWorkingHours, type WorkingHours } from './availability.js';
import { badRequest } from './sandbox-error.js';

/** A Cal.com user: a host of bookings. The first user of the catalog owns the sandbox's API key. */
export interface SandboxUser {
  id: number;
  name: string;
  email: string;
  username: string;
  timeZone: string;
  /** Working hours in `timeZone` (Cal.com's schedule availability); without them the user is available around the clock. */
  workingHours?: WorkingHours[];
}

/** An event type ("service"). Round-robin ones are booked with one of `hosts`; the others with `ownerId`. */
export interface SandboxEventType {
  id: number;
  slug: string;
  title: string;
  lengthInMinutes: number;
  ownerId?: number;
  hosts?: number[];
  schedulingType: null | 'ROUND_ROBIN';
  /** Bookings wait for the host: PENDING and BOOKING_REQUESTED until confirmed or declined (handleNewBooking.ts). */
  requiresConfirmation?: boolean;
  /** Round-robin types only: the team they belong to (1 by default, the team id of the webhooks). */
  teamId?: number;
  /**
   * Round-robin hosts that attend every booking (Cal.com's `isFixed`): the first one is the organizer, the round-robin
   * pick among the other hosts joins as a team member, and a reassign moves only that member.
   */
  fixedHosts?: number[];
  /** Cal.com's minimumBookingNotice: a start sooner than this after now is refused as "no available users" (0 by default). */
  minimumBookingNoticeMinutes?: number;
  /** Cancelling is refused; Cal.com answers 500 (handleCancelBooking.ts throws an HttpError the API does not map). */
  disableCancelling?: boolean;
}

export interface SandboxCatalog {
  users: SandboxUser[];
  eventTypes: SandboxEventType[];
}

export const DEFAULT_CATALOG: SandboxCatalog = {
  users: [
    { id: 1, name: 'Olivia Owner', email: 'olivia@sandbox.example', username: 'olivia', timeZone: 'Europe/London' },
    { id: 2, name: 'Hugo Host', email: 'hugo@sandbox.example', username: 'hugo', timeZone: 'Europe/Paris' },
    { id: 3, name: 'Rita Host', email: 'rita@sandbox.example', username: 'rita', timeZone: 'America/New_York' },
  ],
  eventTypes: [
    { id: 101, slug: 'consultation-30', title: 'Consultation', lengthInMinutes: 30, ownerId: 1, schedulingType: null },
    { id: 102, slug: 'assessment-60', title: 'Assessment', lengthInMinutes: 60, ownerId: 1, schedulingType: null },
    { id: 103, slug: 'team-session-45', title: 'Team Session', lengthInMinutes: 45, hosts: [2, 3], schedulingType: 'ROUND_ROBIN', teamId: 1 },
  ],
};

export function accountOwner(catalog: SandboxCatalog): SandboxUser {
  return catalog.users[0];
}

/** Who may host a booking of this event type, in the catalog's order. */
export function eligibleHosts(catalog: SandboxCatalog, eventType: SandboxEventType): SandboxUser[] {
  const ids = eventType.schedulingType === 'ROUND_ROBIN' ? (eventType.hosts ?? []) : [eventType.ownerId ?? accountOwner(catalog).id];
  return ids.map((id) => catalog.users.find((user) => user.id === id)).filter((user): user is SandboxUser => !!user);
}

export function fixedHostIds(eventType: SandboxEventType): Set<number> {
  return new Set(eventType.schedulingType === 'ROUND_ROBIN' ? (eventType.fixedHosts ?? []) : []);
}

export function isValidTimeZone(timeZone: unknown): timeZone is string {
  if (typeof timeZone !== 'string' || timeZone === '') return false;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone });
    return true;
  } catch {
    return false;
  }
}

/** Validates a catalog given over HTTP, by env file or in-process; throws a 400 that says what is wrong. */
export function parseCatalog(input: unknown): SandboxCatalog {
  const catalog = input as Partial<SandboxCatalog> | null;
  if (!catalog || !Array.isArray(catalog.users) || !Array.isArray(catalog.eventTypes)) {
    throw badRequest('catalog must be {users: [...], eventTypes: [...]}');
  }
  if (catalog.users.length === 0) throw badRequest('catalog.users must hold at least one user (the API key owner)');
  const users = catalog.users.map(parseUser);
  const userIds = new Set(users.map((user) => user.id));
  if (userIds.size !== users.length) throw badRequest('catalog.users ids must be unique');
  const eventTypes = catalog.eventTypes.map((eventType) => parseEventType(eventType, userIds));
  if (new Set(eventTypes.map((eventType) => eventType.id)).size !== eventTypes.length) {
    throw badRequest('catalog.eventTypes ids must be unique');
  }
  return { users, eventTypes };
}

function parseUser(user: SandboxUser, index: number): SandboxUser {
  const where = `catalog.users[${index}]`;
  if (!isPositiveInteger(user?.id)) throw badRequest(`${where}.id must be a positive integer`);
  for (const field of ['name', 'email', 'username'] as const) {
    if (typeof user[field] !== 'string' || user[field] === '') throw badRequest(`${where}.${field} must be a non-empty string`);
  }
  if (!isValidTimeZone(user.timeZone)) throw badRequest(`${where}.timeZone must be an IANA time zone`);
  const parsed: SandboxUser = { id: user.id, name: user.name, email: user.email, username: user.username, timeZone: user.timeZone };
  if (user.workingHours !== undefined) parsed.workingHours = parseWorkingHours(user.workingHours, `${where}.workingHours`);
  return parsed;
}

function parseEventType(eventType: SandboxEventType, userIds: Set<number>): SandboxEventType {
  const where = `catalog.eventTypes[id=${eventType?.id}]`;
  if (!isPositiveInteger(eventType?.id)) throw badRequest('catalog.eventTypes[].id must be a positive integer');
  if (typeof eventType.slug !== 'string' || eventType.slug === '') throw badRequest(`${where}.slug must be a non-empty string`);
  if (typeof eventType.title !== 'string' || eventType.title === '') throw badRequest(`${where}.title must be a non-empty string`);
  if (!isPositiveInteger(eventType.lengthInMinutes)) throw badRequest(`${where}.lengthInMinutes must be a positive integer`);
  const schedulingType = eventType.schedulingType ?? null;
  if (schedulingType !== null && schedulingType !== 'ROUND_ROBIN') {
    throw badRequest(`${where}.schedulingType must be null or "ROUND_ROBIN"`);
  }
  const parsed: SandboxEventType = {
    id: eventType.id,
    slug: eventType.slug,
    title: eventType.title,
    lengthInMinutes: eventType.lengthInMinutes,
    schedulingType,
  };
  for (const flag of ['requiresConfirmation', 'disableCancelling'] as const) {
    if (eventType[flag] === undefined) continue;
    if (typeof eventType[flag] !== 'boolean') throw badRequest(`${where}.${flag} must be a boolean`);
    if (eventType[flag]) parsed[flag] = true;
  }
  if (eventType.ownerId !== undefined) {
    if (!userIds.has(eventType.ownerId)) throw badRequest(`${where}.ownerId ${eventType.ownerId} is not a catalog user`);
    parsed.ownerId = eventType.ownerId;
  }
  if (eventType.hosts !== undefined) {
    if (!Array.isArray(eventType.hosts) || eventType.hosts.some((id) => !userIds.has(id))) {
      throw badRequest(`${where}.hosts must list catalog user ids`);
    }
    parsed.hosts = [...eventType.hosts];
  }
  if (eventType.teamId !== undefined) {
    if (!isPositiveInteger(eventType.teamId)) throw badRequest(`${where}.teamId must be a positive integer`);
    parsed.teamId = eventType.teamId;
  }
  if (eventType.fixedHosts !== undefined) {
    if (!Array.isArray(eventType.fixedHosts) || eventType.fixedHosts.some((id) => !parsed.hosts?.includes(id))) {
      throw badRequest(`${where}.fixedHosts must list ids that are also in hosts`);
    }
    parsed.fixedHosts = [...new Set(eventType.fixedHosts)];
  }
  if (eventType.minimumBookingNoticeMinutes !== undefined) {
    const notice = eventType.minimumBookingNoticeMinutes;
    if (typeof notice !== 'number' || !Number.isInteger(notice) || notice < 0) {
      throw badRequest(`${where}.minimumBookingNoticeMinutes must be a non-negative integer`);
    }
    parsed.minimumBookingNoticeMinutes = notice;
  }
  if (schedulingType === 'ROUND_ROBIN' && !parsed.hosts?.length) {
    throw badRequest(`${where} is ROUND_ROBIN and needs at least one host`);
  }
  return parsed;
}

function isPositiveInteger(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value > 0;
}
