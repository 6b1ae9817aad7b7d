/**
 * Shapes of Cal.com API v2 as it answers with `cal-api-version: 2024-08-13` (bookings) and `2024-06-14` (event types).
 * Derived from the OpenAPI schemas `BookingOutput_2024_08_13`, `PaginationMetaDto`, `MeOutput`, `EventTypeOutput_2024_06_14`.
 * Times are ISO 8601 strings in UTC, exactly as Cal.com sent them.
 */

export type CalcomBookingStatus = 'accepted' | 'cancelled' | 'rejected' | 'pending';

export interface CalcomBookingHost {
  id: number;
  name: string;
  email: string;
  username: string;
  timeZone: string;
}

export interface CalcomBookingAttendee {
  name: string;
  email: string;
  timeZone: string;
  absent: boolean;
  language?: string;
  phoneNumber?: string;
}

/** Cal.com's limits: at most 50 keys, keys up to 40 characters, string values up to 500 characters. */
export type CalcomMetadata = Record<string, string | number | boolean>;

export interface CalcomBooking {
  id: number;
  uid: string;
  title: string;
  description: string;
  status: CalcomBookingStatus;
  start: string;
  end: string;
  duration: number;
  /** Deprecated by Cal.com in favour of `eventType.id`, still sent. */
  eventTypeId: number;
  eventType: { id: number; slug: string };
  hosts: CalcomBookingHost[];
  attendees: CalcomBookingAttendee[];
  guests?: string[];
  location: string;
  absentHost: boolean;
  metadata?: CalcomMetadata;
  bookingFieldsResponses: Record<string, unknown>;
  /** Set on the new booking of a reschedule: the uid it replaced. */
  rescheduledFromUid?: string;
  /** Set on the old, now cancelled booking of a reschedule: the uid that replaced it. */
  rescheduledToUid?: string;
  /** Quirk: on a rescheduled (new) booking Cal.com puts the rescheduling reason here too. */
  cancellationReason?: string;
  cancelledByEmail?: string;
  reschedulingReason?: string;
  rescheduledByEmail?: string;
  recurringBookingUid?: string;
  icsUid?: string;
  rating?: number;
  createdAt: string;
  updatedAt: string;
}

export interface CalcomPagination {
  totalItems: number;
  remainingItems: number;
  returnedItems: number;
  itemsPerPage: number;
  currentPage: number;
  totalPages: number;
  hasNextPage: boolean;
  hasPreviousPage: boolean;
}

export interface CalcomBookingPage {
  bookings: CalcomBooking[];
  pagination: CalcomPagination;
}

/** Cal.com's `status` filter works on time buckets, not on booking status. */
export type CalcomBookingListStatus = 'upcoming' | 'recurring' | 'past' | 'cancelled' | 'unconfirmed';
export type CalcomSortOrder = 'asc' | 'desc';

export interface CalcomBookingFilters {
  status?: CalcomBookingListStatus[];
  attendeeEmail?: string;
  eventTypeIds?: number[];
  afterStart?: string;
  beforeEnd?: string;
  afterUpdatedAt?: string;
  sortStart?: CalcomSortOrder;
  sortUpdatedAt?: CalcomSortOrder;
  /** Page size; Cal.com's default is 100, its maximum 250. */
  take?: number;
  skip?: number;
}

export interface CreateCalcomBooking {
  /** Any ISO 8601 instant; sent to Cal.com in UTC as it requires. */
  start: string;
  eventTypeId: number;
  attendee: { name: string; email: string; timeZone: string; phoneNumber?: string };
  /** Carries our appointment id so a booking whose create response was lost can be found again. */
  metadata: CalcomMetadata;
  lengthInMinutes?: number;
}

export interface RescheduleCalcomBooking {
  start: string;
  reschedulingReason?: string;
  /** The event-type owner's email auto-confirms the new booking on event types that require confirmation. */
  rescheduledBy?: string;
}

export interface CalcomReassignment {
  bookingUid: string;
  reassignedTo: { id: number; name: string; email: string };
}

export interface CalcomEventType {
  id: number;
  title: string;
  slug: string;
  lengthInMinutes: number;
  lengthInMinutesOptions?: number[];
  description?: string;
  ownerId?: number;
  hidden?: boolean;
  /** Present for team event types; round-robin ones can be reassigned in place. */
  schedulingType?: string | null;
  hosts?: Array<{ userId: number; [key: string]: unknown }>;
  users?: Array<{ id: number; [key: string]: unknown }>;
  metadata?: Record<string, unknown>;
}

export interface CalcomMe {
  id: number;
  username: string;
  email: string;
  timeZone: string;
  timeFormat: number;
  weekStart: string;
  defaultScheduleId: number | null;
  organizationId: number | null;
}

/** TeamOutputDto, the part the ledger reads. */
export interface CalcomTeam {
  id: number;
  name: string;
  slug?: string;
}

/** UserWebhookOutputDto: a webhook registered with `/v2/webhooks`. */
export interface CalcomWebhookSubscription {
  id: number;
  userId: number;
  subscriberUrl: string;
  triggers: string[];
  active: boolean;
  payloadTemplate: string | null;
  secret?: string;
}

/** CreateWebhookInputDto / UpdateWebhookInputDto. */
export interface CalcomWebhookSubscriptionInput {
  subscriberUrl: string;
  triggers: string[];
  active: boolean;
  secret?: string;
}
