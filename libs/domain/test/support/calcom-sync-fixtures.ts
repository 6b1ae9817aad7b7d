import type { AppointmentEvent } from '../../src/appointment/appointment.events.js';
import type { BookingCopy } from '../../src/sync/calcom-sync.events.js';

/** The half hour the fixtures' appointment and its Cal.com booking take. */
export const START = '2030-01-02T10:00:00.000Z';
export const END = '2030-01-02T10:30:00.000Z';

/** Cal.com's booking as the sync last saw it: accepted, event type 101 hosted by user 1, at START; a case changes what it is about. */
export const bookingCopy = (overrides: Partial<BookingCopy> = {}): BookingCopy => ({
  uid: 'uid-1',
  start: START,
  end: END,
  eventTypeId: 101,
  hostUserId: 1,
  status: 'accepted',
  rescheduledFromUid: null,
  rescheduledToUid: null,
  ...overrides,
});

type ScheduledData = Extract<AppointmentEvent, { type: 'AppointmentScheduled' }>['data'];

/** Appointment a1 scheduled with Sam for a cut at START; a file names the customer (and whatever else) it is about. */
export const appointmentScheduled = (data: Partial<ScheduledData> & Pick<ScheduledData, 'customer'>): AppointmentEvent => ({
  type: 'AppointmentScheduled',
  data: { appointmentId: 'a1', serviceId: 'cut', staffId: 'sam', startsAt: START, endsAt: END, notes: null, ...data },
});
