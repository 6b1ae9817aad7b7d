import type { BookingRecord, BookingStore } from './booking-store.js';

/**
 * A booking as `GET /v2/bookings/{uid}` returns it (`BookingOutput_2024_08_13`, cal-api-version 2024-08-13), built the
 * way Cal.com's output.service.ts builds it: times are `Date.toISOString()` (milliseconds, `Z`), `location` and the
 * deprecated `meetingUrl` are the video URL, `cancellationReason` / `cancelledByEmail` only on cancelled bookings,
 * `rescheduledToUid` looked up from the successor, user metadata without Cal.com's own `videoCallUrl`.
 */
export interface SandboxBooking {
  id: number;
  uid: string;
  title: string;
  description: string;
  hosts: { id: number; name: string; email: string; username: string; timeZone: string }[];
  status: 'accepted' | 'pending' | 'cancelled' | 'rejected';
  cancellationReason?: string;
  cancelledByEmail?: string;
  rescheduledByEmail?: string;
  rescheduledFromUid?: string;
  rescheduledToUid?: string;
  start: string;
  end: string;
  duration: number;
  eventTypeId: number;
  eventType: { id: number; slug: string };
  meetingUrl: string;
  location: string;
  absentHost: boolean;
  createdAt: string;
  updatedAt: string;
  metadata: Record<string, string | number | boolean>;
  icsUid: string;
  attendees: { name: string; email: string; timeZone: string; language: string; absent: boolean; phoneNumber?: string }[];
  guests?: string[];
  bookingFieldsResponses: Record<string, unknown>;
}

export function videoCallUrl(uid: string): string {
  return `https://app.cal.com/video/${uid}`;
}

export function toBookingOutput(record: BookingRecord, store: BookingStore): SandboxBooking {
  const cancelled = record.status === 'CANCELLED';
  const successor = record.rescheduled ? store.successorOf(record.uid) : undefined;
  const rescheduledByEmail = record.rescheduled ? successor?.rescheduledBy : record.rescheduledBy;
  const location = videoCallUrl(record.uid);
  const { host } = record;
  return {
    id: record.id,
    uid: record.uid,
    title: record.title,
    description: record.description,
    hosts: [{ id: host.id, name: host.name, email: host.email, username: host.username, timeZone: host.timeZone }],
    status: record.status.toLowerCase() as SandboxBooking['status'],
    ...(cancelled && record.cancellationReason !== undefined ? { cancellationReason: record.cancellationReason } : {}),
    ...(cancelled && record.cancelledBy !== undefined ? { cancelledByEmail: record.cancelledBy } : {}),
    ...(rescheduledByEmail !== undefined ? { rescheduledByEmail } : {}),
    ...(record.fromReschedule !== undefined ? { rescheduledFromUid: record.fromReschedule } : {}),
    ...(successor ? { rescheduledToUid: successor.uid } : {}),
    start: record.start.toISOString(),
    end: record.end.toISOString(),
    duration: Math.round((record.end.getTime() - record.start.getTime()) / 60_000),
    eventTypeId: record.eventType.id,
    eventType: { id: record.eventType.id, slug: record.eventType.slug },
    meetingUrl: location,
    location,
    absentHost: record.absentHost ?? false,
    createdAt: record.createdAt.toISOString(),
    updatedAt: record.updatedAt.toISOString(),
    metadata: { ...record.metadata },
    icsUid: record.iCalUID,
    attendees: [
      ...record.attendees.map((attendee) => ({
        name: attendee.name,
        email: attendee.email,
        timeZone: attendee.timeZone,
        language: attendee.language,
        absent: attendee.absent,
        ...(attendee.phoneNumber !== undefined ? { phoneNumber: attendee.phoneNumber } : {}),
      })),
      // createBooking.ts stores the team members of a booking with fixed hosts as attendee rows.
      ...(record.teamMember ? [{ name: record.teamMember.name, email: record.teamMember.email, timeZone: record.teamMember.timeZone, language: 'en', absent: false }] : []),
    ],
    ...(record.guests.length ? { guests: [...record.guests] } : {}),
    bookingFieldsResponses: { ...record.bookingFieldsResponses },
  };
}
