import { freeIntervals, localDate, offsetMinutes } from './availability.js';
import { chooseHosts, type BookingContext } from './booking-context.js';
import { eligibleHosts, isValidTimeZone } from './catalog.js';
import { badRequest, notFound } from './sandbox-error.js';
import { success, type V2Route } from './v2-route.js';

export const SLOTS_VERSION = '2024-09-04';
const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;
const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?$/;
const MAX_RANGE_MS = 62 * 86_400_000;

/**
 * `GET /v2/slots` (SlotsController_2024_09_04, cal-api-version 2024-09-04) for an event type: each host's free ranges
 * (availability.ts), slots starting at a range's start rounded up to the interval within the hour and then every
 * interval (the event's length), as slots.ts getSlots does, kept when a booking there would find its hosts
 * (chooseHosts, as ensureAvailableUsers would). `data` maps a date in `timeZone` to `[{start}]`, or `[{start, end}]`
 * with `format=range`; times carry the zone's offset. `bookingUidToReschedule` frees that booking's own time.
 */
export function slotsRoute(context: BookingContext): V2Route {
  return {
    method: 'GET',
    pattern: /^\/v2\/slots$/,
    version: SLOTS_VERSION,
    handler: async ({ query }) => {
      const eventTypeId = query.get('eventTypeId');
      if (eventTypeId === null || !/^\d+$/.test(eventTypeId)) {
        throw badRequest('eventTypeId must be given as a number (the sandbox does not look event types up by slug)');
      }
      const eventType = context.catalog().eventTypes.find((candidate) => candidate.id === Number(eventTypeId));
      if (!eventType) throw notFound(`Event Type with id=${eventTypeId} not found`);
      const timeZone = query.get('timeZone') ?? 'UTC';
      if (!isValidTimeZone(timeZone)) throw badRequest('timeZone must be a valid IANA time zone');
      const from = parseBound(query.get('start'), 'start', false);
      const to = parseBound(query.get('end'), 'end', true);
      if (to <= from) throw badRequest('end must be after start');
      if (to - from > MAX_RANGE_MS) throw badRequest('the sandbox answers slots for at most 62 days at a time');
      const format = query.get('format') ?? 'time';
      if (format !== 'time' && format !== 'range') throw badRequest('format must be "time" or "range"');
      const ignoreUid = query.get('bookingUidToReschedule') ?? undefined;

      const lengthMs = eventType.lengthInMinutes * 60_000;
      const earliest = Math.max(from, context.now().getTime());
      const starts = new Set<number>();
      for (const host of eligibleHosts(context.catalog(), eventType)) {
        for (const range of freeIntervals(host, earliest, to, context.store, context.busy, ignoreUid)) {
          for (let start = alignedStart(range.start, eventType.lengthInMinutes); start + lengthMs <= range.end; start += lengthMs) starts.add(start);
        }
      }
      const slots: Record<string, { start: string; end?: string }[]> = {};
      for (const start of [...starts].sort((a, b) => a - b)) {
        if (!bookable(context, eventType, start, lengthMs, ignoreUid)) continue;
        const { date } = localDate(start, timeZone);
        const slot = { start: zonedIso(start, timeZone), ...(format === 'range' ? { end: zonedIso(start + lengthMs, timeZone) } : {}) };
        (slots[date] ??= []).push(slot);
      }
      return success(200, slots);
    },
  };
}

function bookable(context: BookingContext, eventType: Parameters<typeof chooseHosts>[1], start: number, lengthMs: number, ignoreUid?: string): boolean {
  try {
    chooseHosts(context, eventType, new Date(start), new Date(start + lengthMs), { ignoreUid });
    return true;
  } catch {
    return false;
  }
}

/** A date alone is the start (00:00:00) or the end (23:59:59) of that day in UTC, as the query's description says. */
function parseBound(value: string | null, name: string, isEnd: boolean): number {
  if (value === null) throw badRequest(`${name} is required`);
  if (DATE_ONLY.test(value)) {
    const day = Date.parse(`${value}T00:00:00Z`);
    if (!Number.isNaN(day)) return isEnd ? day + 86_399_999 : day;
  }
  const hasZone = /(Z|[+-]\d{2}:?\d{2})$/.test(value);
  const instant = DATE_TIME.test(value) ? Date.parse(hasZone ? value : `${value}Z`) : NaN;
  if (Number.isNaN(instant)) throw badRequest(`${name} must be an ISO 8601 date or date-time in UTC, e.g. 2050-09-05 or 2050-09-05T09:00:00Z`);
  return instant;
}

/** A range's first slot: its start rounded up to the next multiple of the interval within the hour. */
function alignedStart(start: number, intervalMinutes: number): number {
  const minuteStart = Math.ceil(start / 60_000) * 60_000;
  const minuteOfHour = new Date(minuteStart).getUTCMinutes();
  if (minuteOfHour % intervalMinutes === 0) return minuteStart;
  const hourStart = minuteStart - minuteOfHour * 60_000;
  const aligned = hourStart + Math.ceil(minuteOfHour / intervalMinutes) * intervalMinutes * 60_000;
  return aligned;
}

/** 2050-09-05T09:00:00.000+02:00: the instant as wall-clock time in the zone, with the zone's offset. */
function zonedIso(at: number, timeZone: string): string {
  const offset = offsetMinutes(at, timeZone);
  const wallClock = new Date(at + offset * 60_000).toISOString().slice(0, 23);
  const sign = offset < 0 ? '-' : '+';
  const absolute = Math.abs(offset);
  return `${wallClock}${sign}${String(Math.floor(absolute / 60)).padStart(2, '0')}:${String(absolute % 60).padStart(2, '0')}`;
}
