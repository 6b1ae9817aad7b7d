import { bookingTitle, type BookingContext } from './booking-context.js';
import { newBookingUid, type BookingRecord } from './booking-store.js';
import { eligibleHosts, type SandboxEventType } from './catalog.js';
import { badRequest } from './sandbox-error.js';

export interface FillRequest {
  /** Booking rows to add (a rescheduled booking is two or three rows: the cancelled originals and the current one). */
  count: number;
  /** The event types to spread them over; every event type of the catalog by default. */
  eventTypeIds?: number[];
}

export interface FillSummary {
  added: number;
  /** Accepted or pending and ahead, the current row of each rescheduled booking included. */
  upcoming: number;
  past: number;
  cancelled: number;
  /** Chains of reschedules; `rescheduledRows` counts their cancelled originals. */
  rescheduled: number;
  rescheduledRows: number;
}

const MAX_FILL = 10_000;
const SLOTS_PER_DAY = 10;
const FIRST_HOUR_UTC = 6;

/**
 * An account's history before anyone connects to it: bookings written straight into the table, no webhook sent, as
 * if made long ago. One in ten is in the past, one cancelled, one rescheduled (moved once or twice, linked the way
 * Cal.com links them: the original cancelled with `rescheduled: true`, the new row's `fromReschedule` naming it, so
 * the API shows `rescheduledFromUid` / `rescheduledToUid`), the rest upcoming. Every row has a time of its own (ten
 * a day from 06:00 UTC), so no host is ever double-booked. The same request on the same catalog and clock always
 * makes the same shape; only uids differ.
 */
export function fillBookings(context: BookingContext, body: unknown): FillSummary {
  const request = parseFillRequest(body, context);
  const summary: FillSummary = { added: 0, upcoming: 0, past: 0, cancelled: 0, rescheduled: 0, rescheduledRows: 0 };
  const dayStart = Date.UTC(context.now().getUTCFullYear(), context.now().getUTCMonth(), context.now().getUTCDate());
  for (let index = 0; summary.added < request.count; index++) {
    const eventType = request.eventTypes[(index + Math.floor(index / SLOTS_PER_DAY)) % request.eventTypes.length];
    const hosts = eligibleHosts(context.catalog(), eventType);
    const host = hosts[Math.floor(index / request.eventTypes.length) % hosts.length];
    const day = 1 + Math.floor(index / SLOTS_PER_DAY);
    const hour = FIRST_HOUR_UTC + (index % SLOTS_PER_DAY);
    const kind = index % SLOTS_PER_DAY;
    const left = request.count - summary.added;
    const moves = kind === 2 ? Math.min(left - 1, day % 2 === 0 ? 2 : 1) : 0;
    const start = new Date(dayStart + (kind === 0 ? -day : day) * 86_400_000 + hour * 3_600_000);
    let record = addRow(context, eventType, host, start, index, moves > 0 ? 'CANCELLED' : undefined, -moves);
    for (let move = 1; move <= moves; move++) {
      // The earlier rows stood a day apart before the move, each now cancelled and pointing on.
      record.rescheduled = true;
      const next = addRow(context, eventType, host, start, index, move < moves ? 'CANCELLED' : undefined, move - moves);
      next.fromReschedule = record.uid;
      next.iCalSequence = record.iCalSequence + 1;
      record = next;
    }
    summary.added += 1 + moves;
    if (moves > 0) {
      summary.rescheduled++;
      summary.rescheduledRows += moves;
    }
    if (kind === 0) summary.past++;
    else if (kind === 1 && moves === 0) {
      Object.assign(record, { status: 'CANCELLED', cancellationReason: 'Cancelled before the ledger was connected', cancelledBy: record.attendees[0].email });
      summary.cancelled++;
    } else summary.upcoming++;
  }
  return summary;
}

function addRow(
  context: BookingContext,
  eventType: SandboxEventType,
  host: BookingRecord['host'],
  finalStart: Date,
  index: number,
  status: BookingRecord['status'] | undefined,
  daysBeforeFinal = 0,
): BookingRecord {
  const { store } = context;
  const id = store.nextId();
  const uid = newBookingUid();
  const start = new Date(finalStart.getTime() + daysBeforeFinal * 86_400_000);
  const createdAt = new Date(Math.min(context.now().getTime(), start.getTime()) - 7 * 86_400_000);
  const attendee = { name: `Customer ${index + 1}`, email: `customer${index + 1}@fill.example`, timeZone: host.timeZone, language: 'en', absent: false };
  const record: BookingRecord = {
    id,
    uid,
    title: bookingTitle(eventType, host, attendee.name),
    description: '',
    host,
    eventType,
    status: status ?? (eventType.requiresConfirmation ? 'PENDING' : 'ACCEPTED'),
    start,
    end: new Date(start.getTime() + eventType.lengthInMinutes * 60_000),
    attendees: [attendee],
    guests: [],
    metadata: {},
    bookingFieldsResponses: { name: attendee.name, email: attendee.email },
    createdAt,
    updatedAt: createdAt,
    rescheduled: false,
    iCalUID: `${uid}@Cal.com`,
    iCalSequence: 0,
  };
  store.add(record);
  return record;
}

function parseFillRequest(body: unknown, context: BookingContext): { count: number; eventTypes: SandboxEventType[] } {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw badRequest('body must be {count, eventTypeIds?}');
  const { count, eventTypeIds, ...rest } = body as Partial<FillRequest>;
  if (Object.keys(rest).length) throw badRequest(`unknown fields: ${Object.keys(rest).join(', ')}`);
  if (typeof count !== 'number' || !Number.isInteger(count) || count < 1 || count > MAX_FILL) throw badRequest(`count must be a whole number from 1 to ${MAX_FILL}`);
  const catalogTypes = context.catalog().eventTypes;
  if (eventTypeIds === undefined) return { count, eventTypes: catalogTypes };
  if (!Array.isArray(eventTypeIds) || eventTypeIds.length === 0) throw badRequest('eventTypeIds must list event type ids of the catalog');
  const eventTypes = eventTypeIds.map((id) => {
    const eventType = catalogTypes.find((candidate) => candidate.id === id);
    if (!eventType) throw badRequest(`eventTypeIds: ${String(id)} is not an event type of the catalog`);
    return eventType;
  });
  return { count, eventTypes };
}
