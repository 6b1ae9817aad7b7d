import {
  type CalcomTarget,
  type EventTypeScheduling,
  type ServiceSaved,
  type StaffMemberSaved,
  serviceStream,
  staffStream,
} from '../../../../libs/domain/src/index.js';
import type { CalcomClient } from '../../../../libs/calcom/src/index.js';
import type { EventStore, RecordedEvent } from '../../../../libs/event-store/src/event-store.port.js';

type StaffData = StaffMemberSaved['data'];
type ServiceData = ServiceSaved['data'];

interface Cached<T> {
  revision: number;
  data: T;
}

const EVENT_TYPES_TTL_MS = 10 * 60_000;

/**
 * What the sync needs of the catalog: staff → Cal.com user, service × staff → event type, and which event types are
 * round-robin. Staff and services come from their own streams (never behind a read model) and are kept fresh by the
 * sync's subscription; event types come from Cal.com, listed once and again when an unknown one turns up.
 */
export class CalcomCatalog {
  private readonly staff = new Map<string, Cached<StaffData | null>>();
  private readonly services = new Map<string, Cached<ServiceData | null>>();
  private eventTypes: { scheduling: Map<number, EventTypeScheduling>; loadedAt: number } | null = null;

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
    const [staff, service] = await Promise.all([
      this.latest(this.staff, staffStream(staffId), staffId),
      this.latest(this.services, serviceStream(serviceId), serviceId),
    ]);
    return { staffId, serviceId, eventTypeId: service?.calcomEventTypeIds[staffId] ?? null, hostUserId: staff?.calcomUserId ?? null };
  }

  /**
   * Null when the event type is not (or no longer) known: the decision then asks for `loadEventTypes`. Team event
   * types Cal.com does not list under /v2/event-types stay unknown after a load: `unknown`, and Cal.com decides.
   */
  schedulingOf(eventTypeId: number | undefined): EventTypeScheduling | null {
    const known = this.eventTypes;
    if (eventTypeId === undefined) return 'unknown';
    if (!known || this.clock() - known.loadedAt > EVENT_TYPES_TTL_MS) return null;
    return known.scheduling.get(eventTypeId) ?? 'unknown';
  }

  async loadEventTypes(): Promise<void> {
    const eventTypes = await this.client.listEventTypes();
    const scheduling = new Map(eventTypes.map(({ id, schedulingType }) => [id, schedulingOf(schedulingType)] as const));
    this.eventTypes = { scheduling, loadedAt: this.clock() };
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
