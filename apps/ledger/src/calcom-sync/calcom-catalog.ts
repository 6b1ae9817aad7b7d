import { type CalcomTarget, type EventTypeScheduling, type ServiceSaved, type StaffMemberSaved, serviceStream, staffStream } from '#domain';
import { type CalcomClient, CalcomError } from '#calcom';
import type { EventStore, RecordedEvent } from '#event-store';

type StaffData = StaffMemberSaved['data'];
type ServiceData = ServiceSaved['data'];

interface Cached<T> {
  revision: number;
  data: T;
}

const EVENT_TYPES_TTL_MS = 10 * 60_000;
/** An event type Cal.com would not describe is asked about again after this long, not on every step. */
const UNLEARNED_TTL_MS = 60_000;

/**
 * What the sync needs of the catalog: staff → Cal.com user, service × staff → event type, and which event types are
 * round-robin. Staff and services come from their own streams (never behind a read model) and are kept fresh by the
 * sync's subscription; event types come from Cal.com, each looked up when a booking of it needs a new host.
 */
export class CalcomCatalog {
  private readonly staff = new Map<string, Cached<StaffData | null>>();
  private readonly services = new Map<string, Cached<ServiceData | null>>();
  private readonly eventTypes = new Map<number, { scheduling: EventTypeScheduling; fixedHosts: number[]; until: number }>();

  constructor(
    private readonly store: EventStore,
    private readonly client: CalcomClient,
    private readonly clock: () => number = Date.now,
  ) {}

  /** A catalog event seen by the subscription: each is a full replacement, so the newest revision wins. */
  apply(event: RecordedEvent): void {
    if (event.type === 'StaffMemberSaved') remember(this.staff, (event.data as StaffData).staffId, event.revision, event.data as StaffData);
    if (event.type === 'ServiceSaved') remember(this.services, (event.data as ServiceData).serviceId, event.revision, event.data as ServiceData);
  }

  async targetOf(staffId: string, serviceId: string): Promise<CalcomTarget> {
    const [staff, service] = await Promise.all([this.latest(this.staff, staffStream(staffId), staffId), this.latest(this.services, serviceStream(serviceId), serviceId)]);
    return { staffId, serviceId, eventTypeId: service?.calcomEventTypeIds[staffId] ?? null, hostUserId: staff?.calcomUserId ?? null };
  }

  /**
   * Null when the event type has not been looked up (or the answer is old): the decision then asks for `learnEventType`.
   * `unknown` when Cal.com would not say (its personal event types omit `schedulingType`, or every way of asking
   * failed): Cal.com is then asked to reassign and its answer decides, within the operation's budget.
   */
  schedulingOf(eventTypeId: number | undefined): EventTypeScheduling | null {
    if (eventTypeId === undefined) return 'unknown';
    const known = this.eventTypes.get(eventTypeId);
    if (!known || this.clock() > known.until) return null;
    return known.scheduling;
  }

  /**
   * Learns one event type's scheduling and never throws, so no sync step waits on it without an end: first
   * `GET /v2/event-types/{id}` (personal and team types), then the listing `GET /v2/event-types` (which some Cal.com
   * versions answer 404 without `username`, event-types.service.ts at upstream 84bd4d3); when neither answers, the type
   * stays `unknown` for a minute and the returned note says why (it goes into the history with the step it leads to).
   */
  async learnEventType(eventTypeId: number): Promise<string | null> {
    let byId: unknown;
    try {
      const eventType = await this.client.getEventType(eventTypeId);
      this.know(eventTypeId, schedulingOf(eventType.schedulingType), EVENT_TYPES_TTL_MS, fixedHostsOf(eventType));
      return null;
    } catch (error) {
      byId = error;
    }
    try {
      const listed = await this.client.listEventTypes();
      for (const eventType of listed) this.know(eventType.id, schedulingOf(eventType.schedulingType), EVENT_TYPES_TTL_MS, fixedHostsOf(eventType));
      if (this.eventTypes.has(eventTypeId)) return null;
    } catch {
      // Said below, with the first answer: the listing is the older way and its 404 is expected on some versions.
    }
    this.know(eventTypeId, 'unknown', UNLEARNED_TTL_MS);
    return `Cal.com did not tell event type ${eventTypeId}'s scheduling (${describe(byId)}); Cal.com's answer to the reassign decides`;
  }

  /** The round-robin type's fixed hosts, as last learned ([] when none or not known). */
  fixedHostsOf(eventTypeId: number | undefined): number[] {
    return eventTypeId === undefined ? [] : (this.eventTypes.get(eventTypeId)?.fixedHosts ?? []);
  }

  private know(eventTypeId: number, scheduling: EventTypeScheduling, ttlMs: number, fixedHosts: number[] = []): void {
    this.eventTypes.set(eventTypeId, { scheduling, fixedHosts, until: this.clock() + ttlMs });
  }

  private async latest<T>(cache: Map<string, Cached<T | null>>, streamName: string, id: string): Promise<T | null> {
    const cached = cache.get(id);
    if (cached) return cached.data;
    const events = await this.store.readStream(streamName);
    const last = events.at(-1);
    remember(cache, id, last?.revision ?? -1, (last?.data as T | undefined) ?? null);
    return cache.get(id)!.data;
  }
}

function remember<T>(cache: Map<string, Cached<T>>, id: string, revision: number, data: T): void {
  const cached = cache.get(id);
  if (!cached || cached.revision < revision) cache.set(id, { revision, data });
}

/** Cal.com has written it `ROUND_ROBIN` and `roundRobin`; an event type without the field says nothing. */
function schedulingOf(schedulingType: string | null | undefined): EventTypeScheduling {
  if (schedulingType === undefined) return 'unknown';
  return (schedulingType ?? '').replace(/[_\s-]/g, '').toLowerCase() === 'roundrobin' ? 'round-robin' : 'not-round-robin';
}

/** TeamEventTypeOutput's `hosts[]`: `mandatory` marks a fixed host (Cal.com's `isFixed`, team-event-type-response.output.ts). */
function fixedHostsOf(eventType: { hosts?: Array<{ userId: number; [key: string]: unknown }> }): number[] {
  return (eventType.hosts ?? []).filter((host) => host.mandatory === true && Number.isInteger(host.userId)).map((host) => host.userId);
}

function describe(error: unknown): string {
  if (error instanceof CalcomError) return `${error.status ?? '-'} ${error.code}: ${error.message}`;
  return error instanceof Error ? error.message : String(error);
}
