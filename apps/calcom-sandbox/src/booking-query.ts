import type { CalcomPagination } from '#calcom';
import type { BookingRecord } from './booking-store.js';
import { badRequest } from './sandbox-error.js';

/**
 * GET /v2/bookings query parameters as Cal.com's get-bookings.input.ts and getAllUserBookings read them: statuses are
 * relative to now, date filters are inclusive, `take` defaults to 100 and may not exceed 250, and the pagination object
 * is computed like apps/api/v2/src/lib/pagination/pagination.ts.
 */
const STATUSES = ['upcoming', 'recurring', 'past', 'cancelled', 'unconfirmed'] as const;
type ListStatus = (typeof STATUSES)[number];
type Direction = 'asc' | 'desc';

const SORTS = { sortStart: 'start', sortEnd: 'end', sortCreated: 'createdAt', sortUpdatedAt: 'updatedAt' } as const;
const DATE_FILTERS = {
  afterStart: (record: BookingRecord, date: Date) => record.start >= date,
  beforeEnd: (record: BookingRecord, date: Date) => record.end <= date,
  afterCreatedAt: (record: BookingRecord, date: Date) => record.createdAt >= date,
  beforeCreatedAt: (record: BookingRecord, date: Date) => record.createdAt <= date,
  afterUpdatedAt: (record: BookingRecord, date: Date) => record.updatedAt >= date,
  beforeUpdatedAt: (record: BookingRecord, date: Date) => record.updatedAt <= date,
};

/** Pagination as the ledger's Cal.com client reads it (openapi-conformance.test.ts holds the answer to Cal.com's document). */
export interface BookingPage {
  records: BookingRecord[];
  pagination: CalcomPagination;
}

export function queryBookings(all: BookingRecord[], query: URLSearchParams, now: Date): BookingPage {
  const take = integerParam(query, 'take', 100);
  const skip = integerParam(query, 'skip', 0);
  if (take > 250) throw badRequest('take must not be greater than 250');
  if (take < 1) throw badRequest('take must not be less than 1');
  if (skip < 0) throw badRequest('skip must not be less than 0');
  const filters = recordFilters(query, now);
  const matching = all.filter((record) => filters.every((filter) => filter(record)));
  const sorted = matching.sort(comparator(query));
  const records = sorted.slice(skip, skip + take);
  return { records, pagination: pagination(skip, take, matching.length) };
}

function recordFilters(query: URLSearchParams, now: Date): ((record: BookingRecord) => boolean)[] {
  const filters: ((record: BookingRecord) => boolean)[] = [];
  const statuses = listParam(query, 'status');
  for (const status of statuses) {
    if (!STATUSES.includes(status as ListStatus)) throw badRequest(`status must be a comma-separated list of: ${STATUSES.join(', ')}`);
  }
  if (statuses.length) filters.push((record) => statuses.some((status) => hasListStatus(record, status as ListStatus, now)));
  const attendeeEmail = query.get('attendeeEmail')?.toLowerCase();
  if (attendeeEmail) filters.push((record) => record.attendees.some((attendee) => attendee.email.toLowerCase() === attendeeEmail));
  const attendeeName = query.get('attendeeName')?.toLowerCase();
  if (attendeeName) filters.push((record) => record.attendees.some((attendee) => attendee.name.toLowerCase() === attendeeName));
  const bookingUid = query.get('bookingUid');
  if (bookingUid) filters.push((record) => record.uid === bookingUid);
  const eventTypeIds = [...listParam(query, 'eventTypeIds'), ...listParam(query, 'eventTypeId')].map((id) => {
    if (!/^\d+$/.test(id)) throw badRequest('eventTypeId and eventTypeIds must be (comma-separated) numbers');
    return Number(id);
  });
  if (eventTypeIds.length) filters.push((record) => eventTypeIds.includes(record.eventType.id));
  for (const [name, test] of Object.entries(DATE_FILTERS)) {
    const value = query.get(name);
    if (value === null) continue;
    const date = new Date(value);
    if (Number.isNaN(date.getTime())) throw badRequest(`${name} must be a valid ISO 8601 date string`);
    filters.push((record) => test(record, date));
  }
  return filters;
}

function hasListStatus(record: BookingRecord, status: ListStatus, now: Date): boolean {
  const live = record.status !== 'CANCELLED' && record.status !== 'REJECTED';
  switch (status) {
    case 'upcoming':
      return live && record.end >= now;
    case 'past':
      return live && record.end <= now;
    case 'cancelled':
      return !live;
    case 'unconfirmed':
      return record.status === 'PENDING' && record.end >= now;
    case 'recurring':
      return false;
  }
}

function comparator(query: URLSearchParams): (a: BookingRecord, b: BookingRecord) => number {
  const requested = Object.entries(SORTS).flatMap(([param, field]) => {
    const direction = query.get(param);
    if (direction === null) return [];
    if (direction !== 'asc' && direction !== 'desc') throw badRequest(`${param} must be one of: asc, desc`);
    return [{ field, direction: direction as Direction }];
  });
  const statuses = listParam(query, 'status');
  // Without a sort, Cal.com lists past and cancelled bookings latest first and the others soonest first.
  const defaultDirection: Direction = statuses.length === 1 && ['past', 'cancelled'].includes(statuses[0]) ? 'desc' : 'asc';
  const order = requested.length ? requested : [{ field: 'start' as const, direction: defaultDirection }];
  return (a, b) => {
    for (const { field, direction } of order) {
      const difference = a[field].getTime() - b[field].getTime();
      if (difference !== 0) return direction === 'asc' ? difference : -difference;
    }
    return a.id - b.id;
  };
}

function pagination(skip: number, take: number, totalItems: number): BookingPage['pagination'] {
  const safeSkip = Math.min(skip, totalItems);
  const totalPages = Math.ceil(totalItems / take);
  return {
    totalItems,
    remainingItems: Math.max(0, Math.min(totalItems - (safeSkip + take), totalItems)),
    returnedItems: Math.max(0, Math.min(totalItems - safeSkip, take)),
    itemsPerPage: take,
    // pagination.ts says 0 for an empty result, the OpenAPI document says minimum 1: the sandbox follows the document.
    currentPage: Math.max(1, Math.min(Math.floor(safeSkip / take) + 1, totalPages)),
    totalPages,
    hasNextPage: safeSkip + take < totalItems,
    hasPreviousPage: safeSkip > 0,
  };
}

function listParam(query: URLSearchParams, name: string): string[] {
  return query
    .getAll(name)
    .flatMap((value) => value.split(','))
    .map((value) => value.trim())
    .filter(Boolean);
}

function integerParam(query: URLSearchParams, name: string, fallback: number): number {
  const value = query.get(name);
  if (value === null || value === '') return fallback;
  if (!/^-?\d+$/.test(value)) throw badRequest(`${name} must be an integer number`);
  return Number(value);
}
