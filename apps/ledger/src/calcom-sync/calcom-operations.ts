import type { BookingCopy, CalcomCall, InFlightOperation } from '#domain';
import type { CalcomClient, CalcomMetadata } from '#calcom';
import { bookingCopy } from './calcom-booking.copy.js';

/** What reading Cal.com says about an operation whose answer was lost or refused. */
export type Verification =
  | { applied: true; booking: BookingCopy }
  /** `observed`: what Cal.com shows instead, worth recording (e.g. the booking was cancelled there). */
  | { applied: false; observed: BookingCopy | null };

interface CreateRequest {
  eventTypeId: number;
  start: string;
  attendee: { name: string; email: string; timeZone: string };
  metadata: CalcomMetadata & { operationId: string };
}

/**
 * The mutations, each sent once; `current` is the booking the sync knows (a reassign answers with the uid only).
 * `rescheduledBy`: the key owner's email, so an admin's reschedule is the organizer's and is not left PENDING.
 */
export async function executeCalcomCall(client: CalcomClient, call: CalcomCall, current: BookingCopy | null, rescheduledBy: string | null = null): Promise<BookingCopy> {
  const uid = call.bookingUid ?? '';
  switch (call.operation) {
    case 'create': {
      const request = call.request as unknown as CreateRequest;
      return bookingCopy(await client.createBooking(request));
    }
    case 'reschedule':
      return bookingCopy(
        await client.rescheduleBooking(uid, { start: String(call.request.start), reschedulingReason: 'Rescheduled in the ledger', ...(rescheduledBy ? { rescheduledBy } : {}) }),
      );
    case 'cancel':
      return bookingCopy(await client.cancelBooking(uid, { cancellationReason: String(call.request.cancellationReason) }));
    case 'confirm':
      return bookingCopy(await client.confirmBooking(uid));
    case 'decline':
      return bookingCopy(await client.declineBooking(uid, typeof call.request.reason === 'string' ? { reason: call.request.reason } : {}));
    case 'mark-absent':
      return markBookerAbsent(client, uid, call.request.absent === true);
    case 'reassign': {
      const userId = Number(call.request.userId);
      const answer = await client.reassignBookingTo(uid, userId, { reason: 'Staff reassigned in the ledger' });
      return current ? { ...current, hostUserId: answer.reassignedTo?.id ?? userId } : bookingCopy(await client.getBooking(uid));
    }
  }
}

/**
 * Looks at Cal.com to tell whether an operation took effect, so it is never sent twice:
 * create → a booking whose metadata carries the operation id; reschedule → the old uid points to its successor;
 * cancel → the booking reads cancelled; reassign → the booking has the new host; confirm / decline → the booking
 * reads accepted / rejected; mark-absent → the booker's `absent` flag reads as asked.
 */
export async function verifyCalcomOperation(
  client: CalcomClient,
  operation: Pick<InFlightOperation, 'operationId' | 'operation' | 'bookingUid' | 'request'>,
): Promise<Verification> {
  const uid = operation.bookingUid ?? '';
  switch (operation.operation) {
    case 'create':
      return verifyCreate(client, operation.operationId, operation.request as unknown as CreateRequest);
    case 'reschedule': {
      const old = await client.getBooking(uid);
      if (old.rescheduledToUid) return { applied: true, booking: bookingCopy(await client.getBooking(old.rescheduledToUid)) };
      return { applied: false, observed: bookingCopy(old) };
    }
    case 'cancel': {
      const booking = bookingCopy(await client.getBooking(uid));
      // Rescheduled away meanwhile (by the customer): not our cancel; the successor is what to act on.
      if (booking.rescheduledToUid) return { applied: false, observed: bookingCopy(await client.getBooking(booking.rescheduledToUid)) };
      return booking.status === 'cancelled' ? { applied: true, booking } : { applied: false, observed: booking };
    }
    case 'reassign': {
      const booking = bookingCopy(await client.getBooking(uid));
      return booking.hostUserId === Number(operation.request.userId) ? { applied: true, booking } : { applied: false, observed: booking };
    }
    case 'confirm':
    case 'decline': {
      const booking = bookingCopy(await client.getBooking(uid));
      return booking.status === (operation.operation === 'confirm' ? 'accepted' : 'rejected') ? { applied: true, booking } : { applied: false, observed: booking };
    }
    case 'mark-absent': {
      const found = await client.getBooking(uid);
      const booking = { ...bookingCopy(found), attendeeAbsent: found.attendees?.[0]?.absent === true };
      return booking.attendeeAbsent === (operation.request.absent === true) ? { applied: true, booking } : { applied: false, observed: booking };
    }
  }
}

/**
 * The ledger's customer is the booker, Cal.com's first attendee. Their e-mail is read from the booking itself: the
 * ledger's may have been corrected since (contact changes stay in the ledger), and mark-absent matches by e-mail.
 */
async function markBookerAbsent(client: CalcomClient, uid: string, absent: boolean): Promise<BookingCopy> {
  const booker = (await client.getBooking(uid)).attendees?.[0];
  const answer = await client.markAbsent(uid, { attendees: booker ? [{ email: booker.email, absent }] : [] });
  return { ...bookingCopy(answer), attendeeAbsent: absent };
}

async function verifyCreate(client: CalcomClient, operationId: string, request: CreateRequest): Promise<Verification> {
  const afterStart = new Date(Date.parse(request.start) - 60_000).toISOString();
  const filters = { attendeeEmail: request.attendee.email, eventTypeIds: [request.eventTypeId], afterStart, take: 250 };
  for await (const booking of client.iterateBookings(filters)) {
    if (booking.metadata?.operationId === operationId) return { applied: true, booking: bookingCopy(booking) };
  }
  return { applied: false, observed: null };
}
