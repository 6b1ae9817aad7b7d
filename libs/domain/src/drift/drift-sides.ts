import type { CalcomBookingLevel, CalcomSide, DriftCatalog, LedgerAppointmentLevel, LedgerSide, UidChain } from './drift.types.js';

/** Cal.com's status for each ledger status: what only Cal.com tracks (no-shows, meetings ended) stays `accepted` there. */
const calcomStatusFor: Record<string, string> = {
  scheduled: 'accepted',
  completed: 'accepted',
  no_show: 'accepted',
  requested: 'pending',
  rejected: 'rejected',
  cancelled: 'cancelled',
};

export const expectedCalcomStatus = (ledgerStatus: string): string => calcomStatusFor[ledgerStatus] ?? 'accepted';

export const isLedgerActive = (status: string): boolean => status !== 'cancelled' && status !== 'rejected';

export const isBookingActive = (status: string): boolean => status === 'accepted' || status === 'pending';

export const sameInstant = (a: string | null, b: string | null): boolean => a !== null && b !== null && Date.parse(a) === Date.parse(b);

/** The catalog, indexed for the lookups a comparison makes. */
export class CatalogIndex {
  private readonly hostByStaff = new Map<string, number | null>();
  private readonly staffByHost = new Map<number, string[]>();
  private readonly services: DriftCatalog['services'];
  private readonly knownEventTypes = new Set<number>();

  constructor(catalog: DriftCatalog) {
    for (const { staffId, calcomUserId } of catalog.staff) {
      this.hostByStaff.set(staffId, calcomUserId);
      if (calcomUserId !== null) this.staffByHost.set(calcomUserId, [...(this.staffByHost.get(calcomUserId) ?? []), staffId]);
    }
    this.services = catalog.services;
    for (const service of catalog.services) for (const id of Object.values(service.calcomEventTypeIds)) this.knownEventTypes.add(id);
  }

  hostOf(staffId: string): number | null {
    return this.hostByStaff.get(staffId) ?? null;
  }

  eventTypeOf(serviceId: string, staffId: string): number | null {
    return this.services.find((service) => service.serviceId === serviceId)?.calcomEventTypeIds[staffId] ?? null;
  }

  isKnownHost(hostUserId: number | null): boolean {
    return hostUserId !== null && this.staffByHost.has(hostUserId);
  }

  isKnownEventType(eventTypeId: number): boolean {
    return this.knownEventTypes.has(eventTypeId);
  }

  /** The staff member and service a Cal.com booking stands for, or null when the catalog cannot say. */
  resolve(hostUserId: number | null, eventTypeId: number): { staffId: string; serviceId: string; durationMinutes: number } | null {
    if (hostUserId === null) return null;
    for (const staffId of this.staffByHost.get(hostUserId) ?? []) {
      const service = this.services.find((candidate) => candidate.calcomEventTypeIds[staffId] === eventTypeId);
      if (service) return { staffId, serviceId: service.serviceId, durationMinutes: service.durationMinutes };
    }
    return null;
  }
}

export function ledgerSide(appointment: LedgerAppointmentLevel, chain: UidChain | undefined, catalog: CatalogIndex): LedgerSide {
  return {
    appointmentId: appointment.appointmentId,
    status: appointment.status,
    startsAt: appointment.startsAt,
    endsAt: appointment.endsAt,
    staffId: appointment.staffId,
    serviceId: appointment.serviceId,
    version: appointment.version,
    bookingUid: chain?.bookingUid ?? null,
    bookingUids: chain?.bookingUids ?? [],
    expectedStatus: expectedCalcomStatus(appointment.status),
    expectedHostUserId: catalog.hostOf(appointment.staffId),
    expectedEventTypeId: catalog.eventTypeOf(appointment.serviceId, appointment.staffId),
  };
}

export function calcomSide(booking: CalcomBookingLevel, path: string[] = [booking.uid]): CalcomSide {
  return {
    uid: booking.uid,
    status: booking.status,
    start: booking.start,
    end: booking.end,
    hostUserId: booking.hostUserId,
    eventTypeId: booking.eventTypeId,
    rescheduledFromUid: booking.rescheduledFromUid,
    rescheduledToUid: booking.rescheduledToUid,
    appointmentId: booking.appointmentId,
    attendee: booking.attendee,
    path,
  };
}

/** A booking known only by a link to it (a successor uid that was not among the bookings read). */
export function unreadCalcomSide(uid: string, path: string[]): CalcomSide {
  return {
    uid,
    status: 'unknown',
    start: null,
    end: null,
    hostUserId: null,
    eventTypeId: null,
    rescheduledFromUid: path.at(-2) ?? null,
    rescheduledToUid: null,
    appointmentId: null,
    attendee: null,
    path,
  };
}
