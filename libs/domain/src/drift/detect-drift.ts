import { calcomSide, CatalogIndex, isBookingActive, isLedgerActive, ledgerSide, sameInstant, unreadCalcomSide } from './drift-sides.js';
import {
  driftItemId,
  driftKinds,
  type CalcomBookingLevel,
  type CalcomSide,
  type DriftCatalog,
  type DriftItem,
  type DriftKind,
  type LedgerAppointmentLevel,
  type LedgerSide,
  type UidChain,
} from './drift.types.js';

/** Links followed from the ledger's current uid before giving up (a loop in Cal.com's data must not hang a check). */
const MAX_CHAIN_HOPS = 20;

interface Indexes {
  byUid: Map<string, CalcomBookingLevel>;
  successorOf: Map<string, CalcomBookingLevel>;
  chainOf: Map<string, UidChain>;
  ownerOf: Map<string, string>;
  byMetadata: Map<string, CalcomBookingLevel[]>;
  catalog: CatalogIndex;
}

/**
 * Compares the ledger with Cal.com, level against level, and lists every difference. Pure: the caller reads both
 * sides (the appointments and bookings of one window, plus whatever those link to) and passes them in.
 * Appointments with sync work still pending come out as one `pending` item each, not as drift.
 */
export function detectDrift(
  ledgerAppointments: readonly LedgerAppointmentLevel[],
  calcomBookings: readonly CalcomBookingLevel[],
  chains: readonly UidChain[],
  catalog: DriftCatalog,
  pendingIds: Iterable<string>,
): DriftItem[] {
  const indexes = index(calcomBookings, chains, catalog);
  const pending = new Set(pendingIds);
  const claimed = new Set<string>();
  const items: DriftItem[] = [];
  for (const appointment of ledgerAppointments) {
    const found = examineAppointment(appointment, indexes, claimed);
    items.push(...(pending.has(appointment.appointmentId) ? asPending(found) : found));
  }
  const known = new Set(ledgerAppointments.map((appointment) => appointment.appointmentId));
  for (const booking of calcomBookings) {
    const item = examineUnclaimedBooking(booking, indexes, claimed, known);
    if (item) items.push(...(booking.appointmentId && pending.has(booking.appointmentId) ? asPending([item]) : [item]));
  }
  return items.sort((a, b) => driftKinds.indexOf(a.kind) - driftKinds.indexOf(b.kind) || a.id.localeCompare(b.id));
}

function index(bookings: readonly CalcomBookingLevel[], chains: readonly UidChain[], catalog: DriftCatalog): Indexes {
  const indexes: Indexes = {
    byUid: new Map(),
    successorOf: new Map(),
    chainOf: new Map(),
    ownerOf: new Map(),
    byMetadata: new Map(),
    catalog: new CatalogIndex(catalog),
  };
  for (const booking of bookings) {
    indexes.byUid.set(booking.uid, booking);
    if (booking.rescheduledFromUid) indexes.successorOf.set(booking.rescheduledFromUid, booking);
    if (booking.appointmentId) indexes.byMetadata.set(booking.appointmentId, [...(indexes.byMetadata.get(booking.appointmentId) ?? []), booking]);
  }
  for (const chain of chains) {
    indexes.chainOf.set(chain.appointmentId, chain);
    for (const uid of chain.bookingUids) indexes.ownerOf.set(uid, chain.appointmentId);
    if (chain.bookingUid) indexes.ownerOf.set(chain.bookingUid, chain.appointmentId);
  }
  return indexes;
}

function examineAppointment(appointment: LedgerAppointmentLevel, indexes: Indexes, claimed: Set<string>): DriftItem[] {
  const ledger = ledgerSide(appointment, indexes.chainOf.get(appointment.appointmentId), indexes.catalog);
  for (const uid of ledger.bookingUids) claimed.add(uid);
  const active = isLedgerActive(ledger.status);
  if (!ledger.bookingUid) {
    const linked = (indexes.byMetadata.get(ledger.appointmentId) ?? []).filter((booking) => !indexes.ownerOf.has(booking.uid));
    for (const booking of linked) claimed.add(booking.uid);
    const found = linked.find((booking) => isBookingActive(booking.status)) ?? linked[0];
    if (found) {
      return [item('broken_chain', ledger, calcomSide(found), ['bookingUid'], `Cal.com has booking ${found.uid} made for this appointment, but the ledger holds no uid for it`)];
    }
    return active ? [item('missing_in_calcom', ledger, null, ['booking'], 'The ledger has an active appointment that was never booked on Cal.com')] : [];
  }
  claimed.add(ledger.bookingUid);
  const current = indexes.byUid.get(ledger.bookingUid);
  if (!current) {
    return active ? [item('missing_in_calcom', ledger, null, ['booking'], `Booking ${ledger.bookingUid} no longer exists on Cal.com`)] : [];
  }
  const successor = followChain(current, ledger, indexes, claimed);
  if (successor) {
    return [item('broken_chain', ledger, successor, ['bookingUid'], `Cal.com moved booking ${ledger.bookingUid} on to ${successor.uid}, which the ledger never heard of`)];
  }
  return compareLevels(ledger, current, indexes.catalog);
}

/** Where Cal.com's rescheduling links lead from the ledger's current booking; null when they lead nowhere new. */
function followChain(current: CalcomBookingLevel, ledger: LedgerSide, indexes: Indexes, claimed: Set<string>): CalcomSide | null {
  const path = [current.uid];
  let booking = current;
  for (let hop = 0; hop < MAX_CHAIN_HOPS; hop++) {
    const nextUid = booking.rescheduledToUid ?? indexes.successorOf.get(booking.uid)?.uid ?? null;
    if (!nextUid || path.includes(nextUid) || ledger.bookingUids.includes(nextUid)) break;
    path.push(nextUid);
    claimed.add(nextUid);
    const next = indexes.byUid.get(nextUid);
    if (!next) return unreadCalcomSide(nextUid, path);
    booking = next;
  }
  return path.length > 1 ? calcomSide(booking, path) : null;
}

function compareLevels(ledger: LedgerSide, booking: CalcomBookingLevel, catalog: CatalogIndex): DriftItem[] {
  const calcom = calcomSide(booking);
  const ledgerActive = isLedgerActive(ledger.status);
  const bookingActive = isBookingActive(booking.status);
  if (ledgerActive && booking.status === 'cancelled') {
    return [item('missing_in_calcom', ledger, calcom, ['status'], `Booking ${booking.uid} was cancelled on Cal.com; the ledger has the appointment ${ledger.status}`)];
  }
  if (ledger.expectedStatus !== booking.status) {
    const mismatch = item(
      'status_mismatch',
      ledger,
      calcom,
      ['status'],
      `The ledger has ${ledger.status} (Cal.com should say ${ledger.expectedStatus}), Cal.com says ${booking.status}`,
    );
    if (!ledgerActive || !bookingActive) return [mismatch];
    return [mismatch, ...compareActive(ledger, calcom, catalog)];
  }
  return ledgerActive ? compareActive(ledger, calcom, catalog) : [];
}

function compareActive(ledger: LedgerSide, calcom: CalcomSide, catalog: CatalogIndex): DriftItem[] {
  const items: DriftItem[] = [];
  const times = [...(sameInstant(ledger.startsAt, calcom.start) ? [] : ['start']), ...(sameInstant(ledger.endsAt, calcom.end) ? [] : ['end'])];
  if (times.length) items.push(item('time_mismatch', ledger, calcom, times, `The ledger has ${ledger.startsAt}–${ledger.endsAt}, Cal.com ${calcom.start}–${calcom.end}`));
  const unmapped = [
    ...(ledger.expectedHostUserId === null ? [`staff ${ledger.staffId} has no Cal.com user`] : []),
    ...(ledger.expectedEventTypeId === null ? [`service ${ledger.serviceId} has no Cal.com event type for staff ${ledger.staffId}`] : []),
    ...(catalog.isKnownHost(calcom.hostUserId) ? [] : [`Cal.com host ${calcom.hostUserId} is no staff member's`]),
    ...(catalog.isKnownEventType(calcom.eventTypeId!) ? [] : [`Cal.com event type ${calcom.eventTypeId} is no service's`]),
  ];
  if (unmapped.length) return [...items, item('unmapped', ledger, calcom, ['catalog'], unmapped.join('; '))];
  if (ledger.expectedHostUserId !== calcom.hostUserId) {
    items.push(item('host_mismatch', ledger, calcom, ['hostUserId'], `Cal.com's host is user ${calcom.hostUserId}, staff ${ledger.staffId} is user ${ledger.expectedHostUserId}`));
  }
  if (ledger.expectedEventTypeId !== calcom.eventTypeId) {
    items.push(
      item(
        'event_type_mismatch',
        ledger,
        calcom,
        ['eventTypeId'],
        `Cal.com's event type is ${calcom.eventTypeId}, service ${ledger.serviceId} with staff ${ledger.staffId} is ${ledger.expectedEventTypeId}`,
      ),
    );
  }
  return items;
}

/** An active booking that no examined appointment accounted for. */
function examineUnclaimedBooking(booking: CalcomBookingLevel, indexes: Indexes, claimed: Set<string>, known: Set<string>): DriftItem | null {
  if (claimed.has(booking.uid) || indexes.ownerOf.has(booking.uid) || !isBookingActive(booking.status)) return null;
  // Linked to an appointment that was not examined: that appointment's own check judges it.
  const owner = booking.rescheduledFromUid ? indexes.ownerOf.get(booking.rescheduledFromUid) : undefined;
  if (owner && !known.has(owner)) return null;
  const calcom = calcomSide(booking);
  if (!indexes.catalog.resolve(booking.hostUserId, booking.eventTypeId)) {
    return item(
      'unmapped',
      null,
      calcom,
      ['catalog'],
      `Cal.com booking ${booking.uid} has host ${booking.hostUserId} and event type ${booking.eventTypeId}, which no staff member and service stand for`,
    );
  }
  const madeFor = booking.appointmentId ? ` (made for appointment ${booking.appointmentId}, whose chain does not hold it)` : '';
  return item('missing_in_ledger', null, calcom, ['appointment'], `Cal.com has an active booking ${booking.uid} that no appointment knows${madeFor}`);
}

function asPending(items: DriftItem[]): DriftItem[] {
  if (items.length === 0) return [];
  const [first] = items;
  const kinds = [...new Set(items.map((found) => found.kind))];
  return [
    {
      ...item('pending', first.ledger, first.calcom, kinds, `Sync work is still pending; expected differences: ${kinds.join(', ')}`),
      appointmentId: first.appointmentId ?? first.calcom?.appointmentId ?? null,
      id: driftItemId('pending', first.appointmentId ?? first.calcom?.appointmentId ?? null, first.bookingUid),
    },
  ];
}

function item(kind: DriftKind, ledger: LedgerSide | null, calcom: CalcomSide | null, differences: string[], summary: string): DriftItem {
  const appointmentId = ledger?.appointmentId ?? null;
  const bookingUid = calcom?.uid ?? ledger?.bookingUid ?? null;
  return { id: driftItemId(kind, appointmentId, bookingUid), kind, appointmentId, bookingUid, ledger, calcom, differences, summary };
}
