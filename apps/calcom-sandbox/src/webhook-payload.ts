import { videoCallUrl } from './booking-output.js';
import type { BookingAttendee, BookingRecord } from './booking-store.js';
import type { SandboxUser } from './catalog.js';
import { teamIdOf } from './event-type-output.js';

/**
 * Webhook payloads as Cal.com's 2021-10-20 webhook version builds them: a CalendarEvent plus event-type info
 * (handleNewBooking.ts for created / rescheduled, handleCancelBooking.ts for cancelled). Field sets follow the copied
 * examples in reference/webhook-examples; values come from the booking.
 */
export type TriggerEvent = 'BOOKING_CREATED' | 'BOOKING_REQUESTED' | 'BOOKING_RESCHEDULED' | 'BOOKING_REJECTED' | 'BOOKING_CANCELLED' | 'BOOKING_NO_SHOW_UPDATED';

/**
 * BOOKING_NO_SHOW_UPDATED: `{message, attendees[{email, noShow}], bookingUid, bookingId}` (handleMarkNoShow.ts;
 * reference/webhook-examples/booking-no-show-updated.derived-from-source.json). The message for a no-show is the
 * example's; the one for taking it back is the sandbox's own words.
 */
export function bookingNoShowUpdatedPayload(record: BookingRecord, changed: { email: string; absent: boolean }[]) {
  const message = changed.map(({ email, absent }) => `${email} ${absent ? 'marked as no-show' : 'no longer marked as no-show'}`).join(', ');
  return { message, attendees: changed.map(({ email, absent }) => ({ email, noShow: absent })), bookingUid: record.uid, bookingId: record.id };
}

/** BOOKING_CREATED, or BOOKING_REQUESTED for a PENDING booking (reference/webhook-examples/booking-requested.*). */
export function bookingCreatedPayload(record: BookingRecord, now: Date) {
  return { ...newBookingEvent(record, now), metadata: { videoCallUrl: videoCallUrl(record.uid), ...record.metadata }, status: record.status };
}

/** BOOKING_REJECTED (reference/webhook-examples/booking-rejected.*), with the host's reason as confirm.handler.ts sends it. */
export function bookingRejectedPayload(record: BookingRecord, now: Date) {
  return { ...bookingCreatedPayload(record, now), rejectionReason: record.rejectionReason ?? null };
}

/** `uid` / `bookingId` are the new booking's; `rescheduleUid` / `rescheduleId` and the old times are the old one's. */
export function bookingRescheduledPayload(record: BookingRecord, previous: BookingRecord, now: Date) {
  return {
    ...newBookingEvent(record, now),
    rescheduleId: previous.id,
    rescheduleUid: previous.uid,
    rescheduleStartTime: utcSeconds(previous.start),
    rescheduleEndTime: utcSeconds(previous.end),
    metadata: { videoCallUrl: videoCallUrl(record.uid), ...record.metadata },
    status: record.status,
    rescheduledBy: record.rescheduledBy,
  };
}

/**
 * handleCancelBooking formats times with dayjs().format() (`+00:00` on Cal.com's UTC servers), sends no `metadata`
 * (calcom/cal.com#27783, fixed only in 2026) and takes price / requiresConfirmation / eventDescription through `|| null`.
 */
export function bookingCancelledPayload(record: BookingRecord, cancellationReason: string | undefined, cancelledBy: string, now: Date) {
  const { eventType } = record;
  return {
    bookerUrl: 'https://cal.com',
    title: record.title,
    length: eventType.lengthInMinutes,
    type: eventType.slug,
    additionalNotes: record.description,
    description: '',
    customInputs: {},
    eventTypeId: eventType.id,
    userFieldsResponses: {},
    responses: bookingResponses(record),
    startTime: utcOffsetFormat(record.start),
    endTime: utcOffsetFormat(record.end),
    organizer: organizer(record.host, now),
    attendees: record.attendees.map((attendee) => ({
      name: attendee.name,
      email: attendee.email,
      timeZone: attendee.timeZone,
      phoneNumber: attendee.phoneNumber ?? null,
      language: { locale: attendee.language },
      utcOffset: utcOffsetMinutes(attendee.timeZone, now),
    })),
    uid: record.uid,
    bookingId: record.id,
    location: 'integrations:daily',
    destinationCalendar: [],
    cancellationReason,
    ...teamOf(record),
    seatsShowAttendees: true,
    iCalUID: record.iCalUID,
    iCalSequence: record.iCalSequence + 1,
    hideOrganizerEmail: false,
    customReplyToEmail: null,
    eventTitle: eventType.title,
    eventDescription: null,
    requiresConfirmation: null,
    price: null,
    currency: 'usd',
    status: 'CANCELLED',
    cancelledBy,
    requestReschedule: false,
  };
}

function newBookingEvent(record: BookingRecord, now: Date) {
  const { eventType } = record;
  return {
    bookerUrl: 'https://cal.com',
    type: eventType.slug,
    title: record.title,
    description: '',
    additionalNotes: record.description,
    customInputs: {},
    startTime: utcSeconds(record.start),
    endTime: utcSeconds(record.end),
    organizer: organizer(record.host, now),
    responses: bookingResponses(record),
    userFieldsResponses: {},
    attendees: record.attendees.map((attendee) => attendeeOf(attendee, now)),
    location: 'integrations:daily',
    destinationCalendar: null,
    hideCalendarNotes: false,
    hideCalendarEventDetails: false,
    requiresConfirmation: eventType.requiresConfirmation ? true : null,
    eventTypeId: eventType.id,
    seatsShowAttendees: true,
    seatsPerTimeSlot: null,
    uid: record.uid,
    iCalUID: record.iCalUID,
    iCalSequence: record.iCalSequence,
    appsStatus: [],
    eventTitle: eventType.title,
    eventDescription: null,
    price: 0,
    currency: 'usd',
    length: eventType.lengthInMinutes,
    bookingId: record.id,
    additionalInformation: {},
    ...teamOf(record),
  };
}

function organizer(host: SandboxUser, now: Date) {
  return {
    id: host.id,
    name: host.name,
    email: host.email,
    username: host.username,
    timeZone: host.timeZone,
    language: { locale: 'en' },
    timeFormat: 'h:mma',
    utcOffset: utcOffsetMinutes(host.timeZone, now),
  };
}

function attendeeOf(attendee: BookingAttendee, now: Date) {
  const [firstName = '', ...rest] = attendee.name.split(' ');
  return {
    email: attendee.email,
    name: attendee.name,
    firstName,
    lastName: rest.join(' '),
    timeZone: attendee.timeZone,
    phoneNumber: attendee.phoneNumber ?? null,
    language: { locale: attendee.language },
    utcOffset: utcOffsetMinutes(attendee.timeZone, now),
  };
}

function bookingResponses(record: BookingRecord) {
  const booker = record.attendees[0];
  return {
    name: { label: 'your_name', value: booker?.name },
    email: { label: 'email_address', value: booker?.email },
    location: { label: 'location', value: { optionValue: '', value: 'integrations:daily' } },
    notes: { label: 'additional_notes', ...(record.description ? { value: record.description } : {}) },
    guests: { label: 'additional_guests', ...(record.guests.length ? { value: record.guests } : {}) },
    rescheduleReason: { label: 'reschedule_reason' },
  };
}

function teamOf(record: BookingRecord) {
  return record.eventType.schedulingType === 'ROUND_ROBIN'
    ? { team: { id: teamIdOf(record.eventType), name: 'Sandbox Team', members: record.teamMember ? [teamMemberOf(record.teamMember)] : [] } }
    : {};
}

function teamMemberOf(user: SandboxUser) {
  return { id: user.id, name: user.name, email: user.email, timeZone: user.timeZone, language: { locale: 'en' } };
}

/** dayjs(date).utc().format(): seconds precision with `Z`. */
export function utcSeconds(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** dayjs(date).format() on a UTC server: seconds precision with `+00:00`. */
export function utcOffsetFormat(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, '+00:00');
}

function utcOffsetMinutes(timeZone: string, at: Date): number {
  const zoned = new Date(at.toLocaleString('en-US', { timeZone }));
  const utc = new Date(at.toLocaleString('en-US', { timeZone: 'UTC' }));
  return Math.round((zoned.getTime() - utc.getTime()) / 60_000);
}
