import { bookingTitle, chooseHosts, currentEventType, refuseStartInThePast, type BookingContext } from './booking-context.js';
import type { CancelBookingInput, CreateBookingInput, DeclineBookingInput, MarkAbsentInput, RescheduleBookingInput } from './booking-input.js';
import { newBookingUid, type BookingRecord, type MutationVia } from './booking-store.js';
import { accountOwner, type SandboxEventType, type SandboxUser } from './catalog.js';
import { badRequest, internalServerError, notFound } from './sandbox-error.js';
import { bookingCancelledPayload, bookingCreatedPayload, bookingNoShowUpdatedPayload, bookingRejectedPayload, bookingRescheduledPayload } from './webhook-payload.js';

/**
 * Create, reschedule and cancel, with Cal.com's rules and messages, each sending its webhook the way Cal.com does.
 * The API and the customer levers share them; `via` only changes who is recorded as acting.
 */
export class BookingActions {
  constructor(private readonly context: BookingContext) {}

  async create(input: CreateBookingInput, via: MutationVia): Promise<BookingRecord> {
    const { store, now } = this.context;
    const eventType = this.bookedEventType(input);
    if (input.lengthInMinutes !== undefined && input.lengthInMinutes !== eventType.lengthInMinutes) {
      throw badRequest(
        `Can't specify 'lengthInMinutes' because event type with id=${eventType.id} does not have multiple possible lengths. Please, remove the 'lengthInMinutes' field from the request.`,
      );
    }
    const at = now();
    refuseStartInThePast(input.start, at);
    const end = new Date(input.start.getTime() + eventType.lengthInMinutes * 60_000);
    const { host, teamMember } = chooseHosts(this.context, eventType, input.start, end);
    const uid = newBookingUid();
    const record: BookingRecord = {
      id: store.nextId(),
      uid,
      title: bookingTitle(eventType, host, input.attendee.name),
      description: '',
      host,
      teamMember,
      eventType,
      status: eventType.requiresConfirmation ? 'PENDING' : 'ACCEPTED',
      start: input.start,
      end,
      attendees: [{ ...input.attendee, absent: false }],
      guests: input.guests,
      metadata: input.metadata,
      bookingFieldsResponses: {
        name: input.attendee.name,
        email: input.attendee.email,
        ...(input.guests.length ? { guests: input.guests } : {}),
        ...input.bookingFieldsResponses,
      },
      createdAt: at,
      updatedAt: at,
      rescheduled: false,
      iCalUID: `${uid}@Cal.com`,
      iCalSequence: 0,
    };
    store.add(record);
    store.log({ at: at.toISOString(), op: 'create', uid, via });
    await this.context.webhooks.dispatch(record.status === 'PENDING' ? 'BOOKING_REQUESTED' : 'BOOKING_CREATED', uid, bookingCreatedPayload(record, at));
    return record;
  }

  /**
   * A new booking with a new uid; the old one becomes cancelled and points to it (PRs #22289, #25103). On an event type
   * that requires confirmation the new booking is PENDING and announced as BOOKING_REQUESTED with `rescheduleUid`,
   * unless the organizer reschedules: handleNewBooking.ts confirms by default when `rescheduledBy` is the organizer's
   * email, and bookings/2024-08-13 input.service.ts takes that user only from the body's `rescheduledBy`.
   */
  async reschedule(uid: string, input: RescheduleBookingInput, via: MutationVia): Promise<BookingRecord> {
    const { store, now } = this.context;
    const previous = store.get(uid);
    // canRescheduleBooking throws a plain Error here, which Cal.com's catch-all filter turns into a 500.
    if (!previous) throw internalServerError();
    refuseRescheduleOf(previous, store.successorOf(uid)?.uid);
    const at = now();
    refuseStartInThePast(input.start, at);
    const eventType = currentEventType(this.context, previous);
    const end = new Date(input.start.getTime() + eventType.lengthInMinutes * 60_000);
    const preferHostId = (previous.teamMember ?? previous.host).id;
    const { host, teamMember } = chooseHosts(this.context, eventType, input.start, end, { ignoreUid: uid, preferHostId });
    const successor: BookingRecord = {
      ...previous,
      id: store.nextId(),
      uid: newBookingUid(),
      title: bookingTitle(eventType, host, previous.attendees[0]?.name ?? 'Nameless'),
      host,
      teamMember,
      eventType,
      status: eventType.requiresConfirmation && !isOrganizer(input.rescheduledBy, [host, previous.host, accountOwner(this.context.catalog())]) ? 'PENDING' : 'ACCEPTED',
      start: input.start,
      end,
      attendees: previous.attendees.map((attendee) => ({ ...attendee })),
      createdAt: at,
      updatedAt: at,
      // Cal.com writes the reschedule reason into the new row's cancellationReason (seen only if it is later cancelled).
      cancellationReason: input.reschedulingReason,
      cancelledBy: undefined,
      rescheduled: false,
      fromReschedule: previous.uid,
      rescheduledBy: input.rescheduledBy,
      iCalSequence: previous.iCalSequence + 1,
    };
    Object.assign(previous, { status: 'CANCELLED', rescheduled: true, rescheduledBy: input.rescheduledBy, updatedAt: at });
    store.add(successor);
    store.log({ at: at.toISOString(), op: 'reschedule', uid: successor.uid, via, rescheduledFromUid: previous.uid });
    const trigger = successor.status === 'PENDING' ? 'BOOKING_REQUESTED' : 'BOOKING_RESCHEDULED';
    await this.context.webhooks.dispatch(trigger, successor.uid, bookingRescheduledPayload(successor, previous, at));
    return successor;
  }

  /**
   * Cal.com (Oct 2025) sends BOOKING_CANCELLED before it updates the row, so a subscriber that reads the booking while
   * handling the webhook still sees it accepted. `hostId` is the API caller: a host must give a reason.
   */
  async cancel(uid: string, input: CancelBookingInput, cancelledBy: string, via: MutationVia, callerId?: number): Promise<BookingRecord> {
    const { store, now } = this.context;
    const record = store.get(uid);
    if (!record) throw notFound(`Booking with uid=${uid} not found`);
    refuseCancelOf(record);
    // handleCancelBooking.ts throws HttpError("This event type does not allow cancellations"); API v2 has no filter
    // for it, so the client sees a 500 and nothing changes.
    if (currentEventType(this.context, record).disableCancelling) throw internalServerError();
    if (callerId !== undefined && record.host.id === callerId && !input.cancellationReason) {
      throw badRequest('Cancellation reason is required when you are the host');
    }
    await this.context.webhooks.dispatch('BOOKING_CANCELLED', uid, bookingCancelledPayload(record, input.cancellationReason, cancelledBy, now()));
    if (store.get(uid) !== record) throw notFound(`Booking with uid=${uid} not found`);
    refuseCancelOf(record);
    const at = now();
    Object.assign(record, {
      status: 'CANCELLED',
      cancellationReason: input.cancellationReason,
      cancelledBy,
      updatedAt: at,
      iCalSequence: record.iCalSequence + 1,
    });
    store.log({ at: at.toISOString(), op: 'cancel', uid, via });
    return record;
  }

  /** The host accepts a PENDING booking (confirm.handler.ts / handleConfirmation.ts): ACCEPTED and BOOKING_CREATED. */
  async confirm(uid: string, via: MutationVia): Promise<BookingRecord> {
    const record = this.pending(uid);
    const at = this.context.now();
    Object.assign(record, { status: 'ACCEPTED', updatedAt: at });
    this.context.store.log({ at: at.toISOString(), op: 'confirm', uid, via });
    await this.context.webhooks.dispatch('BOOKING_CREATED', uid, bookingCreatedPayload(record, at));
    return record;
  }

  /** The host declines a PENDING booking (confirm.handler.ts with confirmed: false): REJECTED and BOOKING_REJECTED. */
  async decline(uid: string, input: DeclineBookingInput, via: MutationVia): Promise<BookingRecord> {
    const record = this.pending(uid);
    const at = this.context.now();
    Object.assign(record, { status: 'REJECTED', rejectionReason: input.reason, updatedAt: at });
    this.context.store.log({ at: at.toISOString(), op: 'decline', uid, via });
    await this.context.webhooks.dispatch('BOOKING_REJECTED', uid, bookingRejectedPayload(record, at));
    return record;
  }

  /**
   * mark-absent (handleMarkNoShow.ts): refused before the booking's start; attendees are matched by e-mail, and only a
   * change to an attendee sends BOOKING_NO_SHOW_UPDATED (the host flag alone sends nothing): Cal.com's notes (mark-absent).
   * The refusal's wording is the sandbox's own.
   */
  async markAbsent(uid: string, input: MarkAbsentInput, via: MutationVia): Promise<BookingRecord> {
    const record = this.context.store.get(uid);
    if (!record) throw notFound(`Booking with uid=${uid} was not found in the database`);
    const at = this.context.now();
    if (at.getTime() < record.start.getTime()) throw badRequest(`Can't mark booking with uid=${uid} as absent before it starts at ${record.start.toISOString()}.`);
    const changed = input.attendees.filter(({ email, absent }) =>
      record.attendees.some((attendee) => attendee.email.toLowerCase() === email.toLowerCase() && attendee.absent !== absent),
    );
    for (const { email, absent } of changed) {
      for (const attendee of record.attendees) if (attendee.email.toLowerCase() === email.toLowerCase()) attendee.absent = absent;
    }
    const hostChanged = input.host !== undefined && input.host !== (record.absentHost ?? false);
    if (hostChanged) record.absentHost = input.host;
    if (changed.length === 0 && !hostChanged) return record;
    record.updatedAt = at;
    this.context.store.log({ at: at.toISOString(), op: 'mark-absent', uid, via });
    if (changed.length > 0) await this.context.webhooks.dispatch('BOOKING_NO_SHOW_UPDATED', uid, bookingNoShowUpdatedPayload(record, changed));
    return record;
  }

  private pending(uid: string): BookingRecord {
    const record = this.context.store.get(uid);
    if (!record) throw notFound(`Booking with uid=${uid} was not found in the database`);
    // The sandbox's own words: Cal.com's confirm handler answers "Booking already confirmed" / refuses other states.
    if (record.status !== 'PENDING') throw badRequest(`Can't confirm or decline booking with uid=${uid} because it is ${record.status.toLowerCase()}, not pending.`);
    return record;
  }

  private bookedEventType(input: CreateBookingInput): SandboxEventType {
    const catalog = this.context.catalog();
    if (input.eventTypeId !== undefined) {
      const eventType = catalog.eventTypes.find((candidate) => candidate.id === input.eventTypeId);
      if (!eventType) throw notFound(`Event type with id ${input.eventTypeId} not found.`);
      return eventType;
    }
    const owner = catalog.users.find((user) => user.username === input.username);
    const eventType = catalog.eventTypes.find((candidate) => candidate.slug === input.eventTypeSlug && (candidate.ownerId ?? catalog.users[0].id) === owner?.id);
    if (!owner) throw notFound(`User with username ${input.username} not found`);
    if (!eventType) throw notFound(`Event type with slug ${input.eventTypeSlug} belonging to user ${input.username} not found.`);
    return eventType;
  }
}

function isOrganizer(rescheduledBy: string | undefined, organizers: SandboxUser[]): boolean {
  if (rescheduledBy === undefined) return false;
  return organizers.some((user) => user.email.toLowerCase() === rescheduledBy.toLowerCase());
}

function refuseRescheduleOf(record: BookingRecord, successorUid: string | undefined): void {
  const { uid } = record;
  if (record.status === 'CANCELLED' && record.rescheduled) {
    throw badRequest(
      `Can't reschedule booking with uid=${uid} because it has been cancelled and rescheduled already to booking with uid=${successorUid}. You probably want to reschedule ${successorUid} instead by passing it within the request URL.`,
    );
  }
  if (record.status === 'CANCELLED') {
    throw badRequest(`Can't reschedule booking with uid=${uid} because it has been cancelled. Please provide uid of a booking that is not cancelled.`);
  }
  if (record.status === 'REJECTED') throw badRequest(`Can't reschedule booking with uid=${uid} because it has been rejected.`);
}

function refuseCancelOf(record: BookingRecord): void {
  if (record.status === 'CANCELLED') {
    throw badRequest(`Can't cancel booking with uid=${record.uid} because it has been cancelled already. Please provide uid of a booking that is not cancelled.`);
  }
}
