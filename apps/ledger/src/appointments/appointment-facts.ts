import { latestSaved, NotFoundError, serviceStream, staffStream, type ServiceSaved, type StaffMemberSaved } from '#domain';
import type { EventStore } from '#event-store';

/** The catalog a command reads: each staff member and service once per command, however many steps ask. */
export type CatalogReads = Pick<AppointmentFacts, 'service' | 'staff'>;

export interface CalendarQueries {
  /** Scheduled appointments of the staff member overlapping [startsAt, endsAt), the excluded one left out. */
  overlappingActive(staffId: string, startsAt: string, endsAt: string, excludeAppointmentId: string): Promise<string[]>;
}

/**
 * What a decision needs to know about the world. The catalog is read from its own streams (always current);
 * the staff calendar comes from the appointments read model, under the staff calendar lock.
 */
export class AppointmentFacts {
  constructor(
    private readonly store: EventStore,
    private readonly calendar: CalendarQueries,
    readonly now: () => Date = () => new Date(),
  ) {}

  async service(serviceId: string): Promise<ServiceSaved['data']> {
    const saved = latestSaved(await this.store.readStream<ServiceSaved>(serviceStream(serviceId)));
    if (!saved) throw new NotFoundError('service', serviceId);
    return saved;
  }

  async staff(staffId: string): Promise<StaffMemberSaved['data']> {
    const saved = latestSaved(await this.store.readStream<StaffMemberSaved>(staffStream(staffId)));
    if (!saved) throw new NotFoundError('staff', staffId);
    return saved;
  }

  /**
   * The catalog for one command: a step that asks again for a staff member or service gets the first read's answer
   * (the slot check and the decision both need the service; the catalog is never locked, so one read is as current
   * as two).
   */
  forOneCommand(): CatalogReads {
    const services = new Map<string, Promise<ServiceSaved['data']>>();
    const staff = new Map<string, Promise<StaffMemberSaved['data']>>();
    const once = <T>(reads: Map<string, Promise<T>>, id: string, read: () => Promise<T>): Promise<T> => {
      if (!reads.has(id)) reads.set(id, read());
      return reads.get(id)!;
    };
    return {
      service: (serviceId) => once(services, serviceId, () => this.service(serviceId)),
      staff: (staffId) => once(staff, staffId, () => this.staff(staffId)),
    };
  }

  overlapping(staffId: string, startsAt: string, durationMinutes: number, appointmentId: string): Promise<string[]> {
    const endsAt = new Date(Date.parse(startsAt) + durationMinutes * 60_000).toISOString();
    return this.overlappingWindow(staffId, startsAt, endsAt, appointmentId);
  }

  overlappingWindow(staffId: string, startsAt: string, endsAt: string, appointmentId: string): Promise<string[]> {
    return this.calendar.overlappingActive(staffId, new Date(startsAt).toISOString(), new Date(endsAt).toISOString(), appointmentId);
  }
}
