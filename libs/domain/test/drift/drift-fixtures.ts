import type { CalcomBookingLevel, DriftCatalog, LedgerAppointmentLevel, UidChain } from '../../src/drift/drift.types.js';

/** Staff sam (Cal.com user 1) gives consultations (event type 101) and assessments (102); hugo (2) and rita (3) share a round-robin type 103. */
export const catalog: DriftCatalog = {
  staff: [
    { staffId: 'sam', calcomUserId: 1 },
    { staffId: 'hugo', calcomUserId: 2 },
    { staffId: 'rita', calcomUserId: 3 },
    { staffId: 'newbie', calcomUserId: null },
  ],
  services: [
    { serviceId: 'consult', durationMinutes: 30, calcomEventTypeIds: { sam: 101 } },
    { serviceId: 'assess', durationMinutes: 60, calcomEventTypeIds: { sam: 102 } },
    { serviceId: 'team', durationMinutes: 45, calcomEventTypeIds: { hugo: 103, rita: 103 } },
  ],
};

export const appointment = (overrides: Partial<LedgerAppointmentLevel> = {}): LedgerAppointmentLevel => ({
  appointmentId: 'a1',
  status: 'scheduled',
  startsAt: '2030-01-02T10:00:00.000Z',
  endsAt: '2030-01-02T10:30:00.000Z',
  staffId: 'sam',
  serviceId: 'consult',
  customer: { name: 'Ada', email: 'ada@example.com', timeZone: 'Europe/London', phone: null },
  version: 2,
  ...overrides,
});

/** Cal.com sends whole-second times with `Z`; the ledger writes milliseconds: equal instants must compare equal. */
export const booking = (overrides: Partial<CalcomBookingLevel> = {}): CalcomBookingLevel => ({
  uid: 'u1',
  start: '2030-01-02T10:00:00Z',
  end: '2030-01-02T10:30:00Z',
  eventTypeId: 101,
  hostUserId: 1,
  status: 'accepted',
  rescheduledFromUid: null,
  rescheduledToUid: null,
  appointmentId: 'a1',
  attendee: { name: 'Ada', email: 'ada@example.com', timeZone: 'Europe/London', phone: null },
  updatedAt: '2029-12-01T00:00:00Z',
  ...overrides,
});

export const chain = (appointmentId: string, ...bookingUids: string[]): UidChain => ({
  appointmentId,
  bookingUid: bookingUids.at(-1) ?? null,
  bookingUids,
});
