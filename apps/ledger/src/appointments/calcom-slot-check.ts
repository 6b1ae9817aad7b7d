import { type Appointment, CalcomSlotUnavailableError } from '#domain';
import { type CalcomClient, CalcomError } from '#calcom';
import type { CatalogReads } from './appointment-facts.js';

/** Long enough for a busy admin's clicks to share one answer, short enough that a freed slot shows soon. */
export const SLOT_CACHE_TTL_MS = 30_000;

export interface SlotCheckOptions {
  /** How long an admin's command waits for Cal.com's slots before going ahead unchecked (`CALCOM_SLOT_CHECK_TIMEOUT_MS`). */
  timeoutMs?: number;
  clock?: () => number;
}

type Slots = Record<string, Array<{ start: string; end?: string }>>;

export interface SlotCheckRequest {
  staffId: string;
  serviceId: string;
  startsAt: string;
  /** An admin's override: Cal.com is not asked, and a refusal later ends as the sync's visible failure. */
  force?: boolean;
  /** The appointment's current Cal.com booking, when it is being moved: its own time must not block it. */
  appointmentId?: string;
}

/** What goes into the event's metadata (`calcomSlotCheck`), so the history says how the time was accepted. */
export type SlotCheckRecord =
  { outcome: 'available'; eventTypeId: number } | { outcome: 'forced'; eventTypeId: number } | { outcome: 'skipped'; eventTypeId: number; reason: string };

/**
 * Asks Cal.com (`GET /v2/slots`) whether the host can take that start before the ledger accepts it, so an admin hears
 * "no" at once rather than from a failed sync later. Runs before the command takes its locks (it is an HTTP call).
 * Without Cal.com, or when the staff member or service is not mapped to a Cal.com event type, there is nothing to ask.
 * When Cal.com cannot answer (timeout, 5xx, network, rate limit), the command goes ahead and the record says the check
 * was skipped: the ledger stays usable offline.
 */
export class CalcomSlotCheck {
  private readonly cache = new Map<string, { slots: Slots; until: number }>();

  constructor(
    private readonly client: Pick<CalcomClient, 'getSlots' | 'rateLimiter'> | null,
    private readonly bookingUidOf: (appointmentId: string) => Promise<string | null>,
    private readonly facts: CatalogReads,
    private readonly options: SlotCheckOptions = {},
  ) {}

  private clock(): number {
    return (this.options.clock ?? Date.now)();
  }

  /**
   * The check for a new appointment, given the appointment as read before the command's turn. A repeated create (the
   * client's retry with the same id) is not asked about: its own booking would fill the slot, and the decision says
   * whether the repeat is the same appointment.
   */
  async checkNew(current: Appointment, request: SlotCheckRequest, catalog?: CatalogReads): Promise<SlotCheckRecord | null> {
    if (!this.client || current.status !== 'initial') return null;
    return this.check(request, catalog);
  }

  /**
   * The check for a change of an existing appointment (reschedule, reassign, change of service), given the appointment
   * as read before the command's turn: `next` says where it would be. Nothing is asked when it does not exist or is
   * cancelled (the command itself refuses then).
   */
  async checkChange(
    appointmentId: string,
    current: Appointment,
    force: boolean | undefined,
    next: (current: Extract<Appointment, { staffId: string }>) => Omit<SlotCheckRequest, 'force' | 'appointmentId'>,
    catalog?: CatalogReads,
  ): Promise<SlotCheckRecord | null> {
    if (!this.client || current.status === 'initial' || current.status === 'cancelled') return null;
    return this.check({ ...next(current), force, appointmentId }, catalog);
  }

  /**
   * Throws CalcomSlotUnavailableError when Cal.com has no slot there; otherwise the record for the metadata (null:
   * nothing asked). `catalog`: the command's own reads, so a service it has read is not read again.
   */
  async check(request: SlotCheckRequest, catalog: CatalogReads = this.facts): Promise<SlotCheckRecord | null> {
    if (!this.client) return null;
    // Read beside the catalog, not after it: a move waits one round trip less before Cal.com is asked.
    const bookingUidRead = request.appointmentId ? this.bookingUidOf(request.appointmentId) : Promise.resolve(null);
    bookingUidRead.catch(() => undefined);
    const service = await catalog.service(request.serviceId);
    const eventTypeId = service.calcomEventTypeIds?.[request.staffId];
    if (eventTypeId === undefined || eventTypeId === null) return null;
    if (request.force) return { outcome: 'forced', eventTypeId };
    // A start in the past is the decider's 400 to give, not Cal.com's "no slot".
    if (Date.parse(request.startsAt) <= this.clock()) return null;
    // An admin does not wait out Cal.com's rate-limit window for a check: the command goes ahead, as when Cal.com is down.
    const pausedMs = this.client.rateLimiter.pausedForMs();
    if (pausedMs > 0) return { outcome: 'skipped', eventTypeId, reason: `Cal.com's rate limit holds calls for another ${Math.ceil(pausedMs / 1000)} s` };
    const bookingUid = await bookingUidRead;
    const from = Date.parse(request.startsAt);
    const to = from + service.durationMinutes * 60_000;
    let slots: Slots;
    try {
      slots = await this.slotsBetween(eventTypeId, hourFloor(from), hourCeil(to), bookingUid);
    } catch (error) {
      if (!(error instanceof CalcomError)) throw error;
      return { outcome: 'skipped', eventTypeId, reason: `${error.code}${error.status ? ` ${error.status}` : ''}: ${error.message}` };
    }
    // Cal.com's slots for an event type have no per-host filter: a personal type is its one host's, and a round-robin
    // type's slot is one that any of its hosts can take, so free time there is accepted either way. A create is not
    // held to slot boundaries (Cal.com checks the host's availability, ensureAvailableUsers.ts), so the time is free
    // when back-to-back slots cover it from start to end.
    if (covered(slots, from, to, service.durationMinutes)) return { outcome: 'available', eventTypeId };
    // The staff member only for the refusal's details: a check that finds the slot free does not read it.
    const staff = await catalog.staff(request.staffId);
    throw new CalcomSlotUnavailableError({
      eventTypeId,
      hostUserId: staff.calcomUserId ?? null,
      startsAt: request.startsAt,
      calcomSaid: await this.describeDay(eventTypeId, from, to, bookingUid),
    });
  }

  /** The ledger booked or moved something on this event type: its cached slots are stale. */
  forget(eventTypeId: number | undefined): void {
    if (eventTypeId === undefined) return;
    for (const key of this.cache.keys()) if (key.startsWith(`${eventTypeId}|`)) this.cache.delete(key);
  }

  /**
   * Only the hours around the appointment are asked for: Cal.com (and the sandbox) compute slots for the whole range
   * asked, and a day of them costs the host's whole day of bookings and calendars on every click. Whole hours keep the
   * slot grid where the day's grid puts it for intervals that divide an hour, and back-to-back coverage does not need
   * the grid anyway.
   */
  private async slotsBetween(eventTypeId: number, from: number, to: number, bookingUid: string | null): Promise<Slots> {
    const key = `${eventTypeId}|${from}|${to}|${bookingUid ?? ''}`;
    const cached = this.cache.get(key);
    if (cached && this.clock() < cached.until) return cached.slots;
    const slots = await this.client!.getSlots(
      {
        eventTypeId,
        start: new Date(from).toISOString(),
        end: new Date(to).toISOString(),
        timeZone: 'UTC',
        ...(bookingUid ? { bookingUidToReschedule: bookingUid } : {}),
      },
      { timeoutMs: this.options.timeoutMs },
    );
    this.cache.set(key, { slots, until: this.clock() + SLOT_CACHE_TTL_MS });
    return slots;
  }

  /**
   * For the refusal only: the free starts of every UTC day the appointment touches, so the admin sees what Cal.com would
   * take instead. A failure here must not turn the 409 into something else: it is said in words.
   */
  private async describeDay(eventTypeId: number, from: number, to: number, bookingUid: string | null): Promise<string> {
    const day = Math.floor(from / DAY_MS) * DAY_MS;
    const lastDay = Math.floor((to - 1) / DAY_MS) * DAY_MS;
    try {
      return describeStarts(await this.slotsBetween(eventTypeId, day, lastDay + DAY_MS - 1, bookingUid), new Date(from).toISOString());
    } catch (error) {
      if (!(error instanceof CalcomError)) throw error;
      return `no free slot there; the free starts of the day could not be read (${error.code})`;
    }
  }
}

const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;
const hourFloor = (at: number): number => Math.floor(at / HOUR_MS) * HOUR_MS;
const hourCeil = (at: number): number => Math.ceil(at / HOUR_MS) * HOUR_MS;

/** Metadata for the event: the record under `calcomSlotCheck`, nothing when nothing was asked. */
export function withSlotCheck<M extends object>(metadata: M, record: SlotCheckRecord | null): M {
  return record ? { ...metadata, calcomSlotCheck: record } : metadata;
}

/** Whether the slot ranges, joined where one ends as the next starts, cover [from, to). */
function covered(slots: Slots, from: number, to: number, durationMinutes: number): boolean {
  const ranges = Object.values(slots)
    .flatMap((day) => (Array.isArray(day) ? day : []))
    .map((slot) => {
      const start = Date.parse(slot?.start);
      const end = typeof slot?.end === 'string' ? Date.parse(slot.end) : start + durationMinutes * 60_000;
      return { start, end };
    })
    .filter(({ start, end }) => Number.isFinite(start) && Number.isFinite(end) && start < end)
    .sort((a, b) => a.start - b.start);
  let reached = from;
  for (const range of ranges) {
    if (range.start > reached) break;
    reached = Math.max(reached, range.end);
    if (reached >= to) return true;
  }
  return false;
}

function describeStarts(slots: Slots, startsAt: string): string {
  const starts = Object.values(slots)
    .flat()
    .map((slot) => slot?.start)
    .filter((start): start is string => typeof start === 'string');
  if (starts.length === 0) return `no free slots that day (UTC) around ${startsAt}`;
  return `free starts that day (UTC): ${starts.slice(0, 24).join(', ')}${starts.length > 24 ? ', …' : ''}`;
}
