import type { CalcomBookingLevel, DriftCatalog, DriftScope, DriftWindow, LedgerAppointmentLevel, UidChain } from '#domain';
import type { DriftLedgerQueries } from '#projections';
import type { CalcomBookingReader } from './calcom-booking-reader.js';

/** Both sides of one check, with everything they link to: what `detectDrift` is given. */
export interface DriftLevels {
  ledger: LedgerAppointmentLevel[];
  calcom: CalcomBookingLevel[];
  chains: UidChain[];
  catalog: DriftCatalog;
  pending: string[];
  pages: number;
  scope: DriftScope;
}

/** Successor links followed per check for bookings the lists did not include. */
const MAX_LINK_ROUNDS = 5;

/**
 * Reads both sides of a check. Beyond the window it follows links both ways, so an appointment and its booking are
 * always compared together: the appointments that own (or are named in the metadata of) the bookings read, and the
 * bookings the ledger points at, or that those were rescheduled to, when the list did not hold them.
 */
export class DriftLevelsLoader {
  constructor(
    private readonly ledger: DriftLedgerQueries,
    private readonly reader: CalcomBookingReader,
  ) {}

  async full(window: DriftWindow): Promise<DriftLevels> {
    const [read, appointments] = await Promise.all([this.reader.readWindow(window), this.ledger.appointmentsInWindow(window.from, window.to)]);
    return this.complete(appointments, read.bookings, read.pages);
  }

  /** What changed on either side since `since`; bookings outside the window that nothing links to are left out. */
  async incremental(window: DriftWindow, since: string): Promise<DriftLevels> {
    const [read, appointments] = await Promise.all([this.reader.readUpdatedSince(since), this.ledger.appointmentsChangedSince(since, window.from, window.to)]);
    const owners = await this.ledger.ownersOf(read.bookings.flatMap(linkedUids));
    const inWindow = (booking: CalcomBookingLevel) => Date.parse(booking.start) >= Date.parse(window.from) && Date.parse(booking.end) <= Date.parse(window.to);
    const linked = (booking: CalcomBookingLevel) => booking.appointmentId !== null || linkedUids(booking).some((uid) => owners.has(uid));
    return this.complete(
      appointments,
      read.bookings.filter((booking) => inWindow(booking) || linked(booking)),
      read.pages,
    );
  }

  private async complete(appointments: LedgerAppointmentLevel[], listed: CalcomBookingLevel[], pages: number): Promise<DriftLevels> {
    const bookings = new Map(listed.map((booking) => [booking.uid, booking]));
    const ledger = new Map(appointments.map((appointment) => [appointment.appointmentId, appointment]));
    const owners = await this.ledger.ownersOf([...bookings.values()].flatMap(linkedUids));
    const named = [...bookings.values()].flatMap((booking) => (booking.appointmentId ? [booking.appointmentId] : []));
    const unread = [...new Set([...owners.values(), ...named])].filter((id) => !ledger.has(id));
    for (const appointment of await this.ledger.appointmentsByIds(unread)) ledger.set(appointment.appointmentId, appointment);
    const ids = [...ledger.keys()];
    const [chains, catalog, pending] = await Promise.all([this.ledger.chainsOf(ids), this.ledger.catalog(), this.ledger.unsettledOf(ids)]);
    await this.readLinkedBookings(chains, bookings);
    return {
      ledger: [...ledger.values()],
      calcom: [...bookings.values()],
      chains,
      catalog,
      pending,
      pages,
      scope: { appointmentIds: ids, bookingUids: [...bookings.keys()] },
    };
  }

  /** The ledger's current bookings the list missed (moved out of the window, deleted), and where they were moved on to. */
  private async readLinkedBookings(chains: UidChain[], bookings: Map<string, CalcomBookingLevel>): Promise<void> {
    let wanted = chains.flatMap((chain) => (chain.bookingUid && !bookings.has(chain.bookingUid) ? [chain.bookingUid] : []));
    const current = new Set(chains.flatMap((chain) => (chain.bookingUid ? [chain.bookingUid] : [])));
    for (let round = 0; round < MAX_LINK_ROUNDS && wanted.length > 0; round++) {
      for (const booking of await this.reader.readByUids(wanted)) bookings.set(booking.uid, booking);
      const successors = [...bookings.values()].filter((booking) => current.has(booking.uid) && booking.rescheduledToUid && !bookings.has(booking.rescheduledToUid));
      for (const booking of successors) current.add(booking.rescheduledToUid!);
      wanted = successors.map((booking) => booking.rescheduledToUid!);
    }
  }
}

const linkedUids = (booking: CalcomBookingLevel): string[] => [booking.uid, ...(booking.rescheduledFromUid ? [booking.rescheduledFromUid] : [])];
