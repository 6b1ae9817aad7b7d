import type { BookingCopy } from '#domain';
import type { CalcomBooking } from '#calcom';

/** The part of Cal.com's booking the ledger keeps: one link of the appointment's uid chain. */
export function bookingCopy(booking: CalcomBooking): BookingCopy {
  return {
    uid: booking.uid,
    start: booking.start,
    end: booking.end,
    eventTypeId: booking.eventType?.id ?? booking.eventTypeId,
    hostUserId: booking.hosts?.[0]?.id ?? null,
    status: String(booking.status).toLowerCase(),
    rescheduledFromUid: booking.rescheduledFromUid ?? null,
    rescheduledToUid: booking.rescheduledToUid ?? null,
    // Said only when set: snapshots from before no-shows were synced stay equal, and absent-false reads as unsaid.
    ...(booking.attendees?.[0]?.absent === true ? { attendeeAbsent: true } : {}),
  };
}
