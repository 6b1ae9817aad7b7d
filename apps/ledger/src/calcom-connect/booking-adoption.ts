import { appointmentFromBooking, type AppointmentEvent, type BookingCopy, type CalcomBookingLevel, CatalogIndex, type DriftCatalog, dateTimeProblem, textProblem } from '#domain';
import { derivedId } from '../calcom-webhooks/derived-id.js';

/** One booking as it stands now, with every uid it had before (Cal.com's reschedule links), oldest first. */
export interface BookingChain {
  uids: string[];
  /** Each booking of the chain as Cal.com lists it, oldest first; the last one is the booking now. */
  bookings: CalcomBookingLevel[];
}

export interface Adoption {
  appointmentId: string;
  chain: string[];
  /** For `calcomsync-<appointmentId>`, first: what Cal.com shows, uid by uid, so the sync sees nothing to do. */
  observed: BookingCopy[];
  /** For `appointment-<appointmentId>`, with `no_stream`: the appointment as the booking is now. */
  events: AppointmentEvent[];
}

export interface UnmappedBooking {
  uid: string;
  start: string;
  hostUserId: number | null;
  eventTypeId: number | null;
  reason: string;
}

/**
 * The appointment a booking chain becomes: the same id a BOOKING_CREATED webhook of its first uid would have made
 * (webhook-fact.translator.ts), so the two paths can never make two appointments of one booking.
 */
export const adoptedAppointmentId = (firstUid: string): string => derivedId('calcom-booking', firstUid);

/** Event ids that are a function of the chain: a second import of the same booking is the same events. */
export const adoptionEventId = (firstUid: string, stream: 'sync' | 'appointment', index: number): string => derivedId('calcom-connect', firstUid, stream, String(index));

/** Cal.com's bookings joined along `rescheduledFromUid` / `rescheduledToUid`; a booking read twice counts once. */
export function bookingChains(bookings: readonly CalcomBookingLevel[]): BookingChain[] {
  const byUid = new Map(bookings.map((booking) => [booking.uid, booking]));
  const predecessorOf = new Map<string, CalcomBookingLevel>();
  for (const booking of byUid.values()) {
    const next = booking.rescheduledToUid ? byUid.get(booking.rescheduledToUid) : undefined;
    if (next) predecessorOf.set(next.uid, booking);
    const previous = booking.rescheduledFromUid ? byUid.get(booking.rescheduledFromUid) : undefined;
    if (previous && !predecessorOf.has(booking.uid)) predecessorOf.set(booking.uid, previous);
  }
  const chains: BookingChain[] = [];
  for (const booking of byUid.values()) {
    // Only the booking at the end of its chain stands for an appointment; the ones it replaced come with it.
    if (booking.rescheduledToUid && byUid.has(booking.rescheduledToUid)) continue;
    const chain = [booking];
    const seen = new Set([booking.uid]);
    for (let previous = predecessorOf.get(booking.uid); previous && !seen.has(previous.uid); previous = predecessorOf.get(previous.uid)) {
      seen.add(previous.uid);
      chain.unshift(previous);
    }
    chains.push({ uids: chain.map(({ uid }) => uid), bookings: chain });
  }
  return chains.sort((a, b) => a.bookings.at(-1)!.start.localeCompare(b.bookings.at(-1)!.start) || a.uids[0].localeCompare(b.uids[0]));
}

/** Whether the booking now at the end of the chain is one to adopt: alive, and ending after `from`. */
export function isToAdopt(chain: BookingChain, from: Date): boolean {
  const booking = chain.bookings.at(-1)!;
  if (booking.status !== 'accepted' && booking.status !== 'pending') return false;
  return new Date(booking.end).getTime() > from.getTime();
}

/** The appointment for a chain, or why the catalog (or the input rules) cannot take it. */
export function adoptionOf(chain: BookingChain, catalog: DriftCatalog): { ok: true; adoption: Adoption } | { ok: false; unmapped: UnmappedBooking } {
  const booking = chain.bookings.at(-1)!;
  const unmapped = (reason: string) => ({
    ok: false as const,
    unmapped: { uid: booking.uid, start: booking.start, hostUserId: booking.hostUserId, eventTypeId: booking.eventTypeId, reason },
  });
  const refused = chain.uids.map(uidProblem).find((problem) => problem !== null) ?? inputProblem(booking);
  if (refused) return unmapped(refused);
  const appointmentId = adoptedAppointmentId(chain.uids[0]);
  const side = { ...booking, appointmentId: null, path: chain.uids };
  const events = appointmentFromBooking(appointmentId, side, new CatalogIndex(catalog));
  if (!events) return unmapped(`no staff member and service stand for host ${booking.hostUserId ?? '(none)'} with event type ${booking.eventTypeId ?? '(none)'}`);
  const [scheduled, ...rest] = events;
  const notes = `Booked on Cal.com as ${booking.uid}; adopted when the Cal.com account was connected`;
  const adopted = scheduled.type === 'AppointmentScheduled' ? { ...scheduled, data: { ...scheduled.data, notes } } : scheduled;
  return { ok: true, adoption: { appointmentId, chain: chain.uids, observed: chain.bookings.map(snapshotOf), events: [adopted, ...rest] } };
}

/** Cal.com's uids are short-uuids; one that PostgreSQL could not store, or absurdly long, is refused. */
function uidProblem(uid: string): string | null {
  const problem = textProblem(uid, { maxLength: 200, minLength: 1 });
  return problem && `the booking uid ${problem}`;
}

function snapshotOf(booking: CalcomBookingLevel): BookingCopy {
  const { uid, start, end, eventTypeId, hostUserId, status, rescheduledFromUid, rescheduledToUid, attendeeAbsent } = booking;
  return { uid, start, end, eventTypeId, hostUserId, status, rescheduledFromUid, rescheduledToUid, ...(attendeeAbsent ? { attendeeAbsent } : {}) };
}

/** What came from Cal.com is held to the ledger's input rules before it becomes an event, as a webhook's fields are. */
function inputProblem(booking: CalcomBookingLevel): string | null {
  const problems = [
    ['start', dateTimeProblem(booking.start)],
    ['end', dateTimeProblem(booking.end)],
    ['attendee name', booking.attendee ? textProblem(booking.attendee.name, { maxLength: 200, minLength: 1 }) : null],
    ['attendee email', booking.attendee ? textProblem(booking.attendee.email, { maxLength: 254 }) : null],
    ['attendee time zone', booking.attendee ? textProblem(booking.attendee.timeZone, { maxLength: 64 }) : null],
    ['attendee phone', booking.attendee?.phone ? textProblem(booking.attendee.phone, { maxLength: 40 }) : null],
  ].filter(([, problem]) => problem !== null);
  return problems.length ? `the booking's ${problems.map(([field, problem]) => `${field} ${problem}`).join('; ')}` : null;
}
