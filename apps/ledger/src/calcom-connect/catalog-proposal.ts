import { isEntityId, textProblem } from '#domain';

/** A Cal.com user who hosts bookings: the key owner, or a member of one of its teams. */
export interface CalcomHost {
  userId: number;
  username: string;
  name: string;
  /** Cal.com shows team members' e-mail addresses only on their bookings; null when none was seen. */
  email: string | null;
}

export interface AccountEventType {
  id: number;
  title: string;
  lengthInMinutes: number;
  /** Set for a team event type: a round-robin one is one service with all its hosts. */
  teamId: number | null;
  roundRobin: boolean;
  hostUserIds: number[];
}

export interface LedgerCatalog {
  staff: { staffId: string; name: string; email: string; calcomUserId: number | null }[];
  services: { serviceId: string; name: string; durationMinutes: number; calcomEventTypeIds: Record<string, number> }[];
}

export type Change = 'add' | 'update' | 'unchanged';

export interface StaffProposal {
  staffId: string;
  name: string;
  email: string;
  calcomUserId: number;
  change: Change;
  /** Why the proposal is not the whole truth (a made-up e-mail address). */
  note?: string;
}

export interface ServiceProposal {
  serviceId: string;
  name: string;
  durationMinutes: number;
  calcomEventTypeIds: Record<string, number>;
  change: Change;
  /** The Cal.com event types the service stands for, and whether it is a round-robin team type. */
  eventTypeIds: number[];
  roundRobin: boolean;
}

export interface CatalogProposal {
  staff: StaffProposal[];
  services: ServiceProposal[];
  /** Event types no service can hold (a length the ledger refuses), with the reason. */
  skipped: { eventTypeId: number; reason: string }[];
}

const MIN_DURATION = 5;
const MAX_DURATION = 1440;

/**
 * Staff (one per host) and services (personal event types grouped by title and length across hosts; a round-robin
 * team type as one service of its hosts), matched against what the ledger has: a host already mapped to a staff
 * member keeps that member as the admin left it, and a service that already holds one of the group's event types is
 * that service, completed with the hosts it lacks. So a second run proposes only what changed on Cal.com.
 */
export function proposeCatalog(hosts: readonly CalcomHost[], eventTypes: readonly AccountEventType[], current: LedgerCatalog): CatalogProposal {
  const takenIds = new Set([...current.staff.map((staff) => staff.staffId), ...current.services.map((service) => service.serviceId)]);
  const staffByHost = new Map<number, string>();
  const staff: StaffProposal[] = [];
  for (const host of [...hosts].sort((a, b) => a.userId - b.userId)) {
    const existing = current.staff.find((member) => member.calcomUserId === host.userId);
    if (existing) {
      staffByHost.set(host.userId, existing.staffId);
      staff.push({ staffId: existing.staffId, name: existing.name, email: existing.email, calcomUserId: host.userId, change: 'unchanged' });
      continue;
    }
    const staffId = freeId(host.username, `host-${host.userId}`, takenIds);
    staffByHost.set(host.userId, staffId);
    const email = host.email && isPlainEmail(host.email) ? host.email : null;
    staff.push({
      staffId,
      name: line(host.name) ?? line(host.username) ?? `Cal.com user ${host.userId}`,
      email: email ?? `${staffId}@calcom-host.invalid`,
      calcomUserId: host.userId,
      change: 'add',
      ...(email ? {} : { note: 'Cal.com did not show this host’s e-mail address: change it with PUT /staff' }),
    });
  }

  const skipped: CatalogProposal['skipped'] = [];
  const groups = new Map<string, AccountEventType[]>();
  for (const eventType of [...eventTypes].sort((a, b) => a.id - b.id)) {
    if (eventType.lengthInMinutes < MIN_DURATION || eventType.lengthInMinutes > MAX_DURATION) {
      skipped.push({ eventTypeId: eventType.id, reason: `a length of ${eventType.lengthInMinutes} minutes (services last ${MIN_DURATION}–${MAX_DURATION})` });
      continue;
    }
    const key = eventType.roundRobin ? `team-type:${eventType.id}` : `${eventType.title.trim().toLowerCase()}\u0000${eventType.lengthInMinutes}`;
    groups.set(key, [...(groups.get(key) ?? []), eventType]);
  }

  const services: ServiceProposal[] = [];
  for (const group of groups.values()) {
    const mapping: Record<string, number> = {};
    for (const eventType of group) {
      for (const hostId of eventType.hostUserIds) {
        const staffId = staffByHost.get(hostId);
        if (staffId && mapping[staffId] === undefined) mapping[staffId] = eventType.id;
      }
    }
    const eventTypeIds = group.map((eventType) => eventType.id);
    const [first] = group;
    const existing = current.services.find((service) => Object.values(service.calcomEventTypeIds).some((id) => eventTypeIds.includes(id)));
    if (existing) {
      const merged = { ...mapping, ...existing.calcomEventTypeIds };
      const changed = Object.keys(merged).length !== Object.keys(existing.calcomEventTypeIds).length;
      services.push({ ...existing, calcomEventTypeIds: merged, change: changed ? 'update' : 'unchanged', eventTypeIds, roundRobin: first.roundRobin });
      continue;
    }
    const serviceId = freeId(`${first.title}-${first.lengthInMinutes}`, `event-type-${first.id}`, takenIds);
    services.push({
      serviceId,
      name: line(first.title) ?? `Event type ${first.id}`,
      durationMinutes: first.lengthInMinutes,
      calcomEventTypeIds: mapping,
      change: 'add',
      eventTypeIds,
      roundRobin: first.roundRobin,
    });
  }
  return { staff, services: services.sort((a, b) => a.serviceId.localeCompare(b.serviceId)), skipped };
}

/** An id the input rules accept, made from Cal.com's words, not yet taken (a number appended if it is). */
function freeId(words: string, fallback: string, taken: Set<string>): string {
  const slug = words
    .normalize('NFKD')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 56);
  const base = isEntityId(slug) ? slug : fallback;
  let id = base;
  for (let n = 2; taken.has(id) || !isEntityId(id); n++) id = `${base}-${n}`;
  taken.add(id);
  return id;
}

/** Text from Cal.com as a name the input rules accept (one line, 1–200 characters), or null. */
function line(text: string | null | undefined): string | null {
  const trimmed = typeof text === 'string' ? text.trim() : '';
  return textProblem(trimmed, { maxLength: 200, minLength: 1 }) === null ? trimmed : null;
}

function isPlainEmail(email: string): boolean {
  return email.length <= 254 && /^[^\s@\u0000-\u001f]+@[^\s@\u0000-\u001f]+\.[^\s@\u0000-\u001f]+$/.test(email) && textProblem(email, { maxLength: 254 }) === null;
}
