import type { Event } from '../event.js';

/** The catalog is event-sourced too: every change to staff or services is on the record. */
export type StaffMemberSaved = Event<'StaffMemberSaved', { staffId: string; name: string; email: string; calcomUserId: number | null }>;

export type ServiceSaved = Event<
  'ServiceSaved',
  {
    serviceId: string;
    name: string;
    durationMinutes: number;
    /** The Cal.com event type that books this service with each staff member, by staff id. */
    calcomEventTypeIds: Record<string, number>;
  }
>;

export type CatalogEvent = StaffMemberSaved | ServiceSaved;

export const staffStream = (staffId: string): string => `staff-${staffId}`;
export const serviceStream = (serviceId: string): string => `service-${serviceId}`;
export const catalogStreamPrefixes = ['staff-', 'service-'] as const;
