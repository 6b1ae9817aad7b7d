import { isValidTimeZone } from './catalog.js';
import { badRequest } from './sandbox-error.js';

/**
 * Request bodies of the bookings endpoints, checked the way Cal.com's DTOs check them. Messages quote Cal.com where its
 * source has one (metadata, seats); the rest are the sandbox's own words for what class-validator would refuse.
 */
export interface AttendeeInput {
  name: string;
  email: string;
  timeZone: string;
  language: string;
  phoneNumber?: string;
}

export interface CreateBookingInput {
  eventTypeId?: number;
  eventTypeSlug?: string;
  username?: string;
  start: Date;
  attendee: AttendeeInput;
  guests: string[];
  metadata: Record<string, string | number | boolean>;
  lengthInMinutes?: number;
  bookingFieldsResponses: Record<string, unknown>;
}

export interface RescheduleBookingInput {
  start: Date;
  rescheduledBy?: string;
  reschedulingReason?: string;
}

export interface DeclineBookingInput {
  reason?: string;
}

export function parseDeclineInput(body: unknown): DeclineBookingInput {
  const input = asObject(body ?? {}, 'body');
  return { reason: optional(input.reason, 'reason', isString, 'a string') };
}

/** MarkAbsentBookingInput_2024_08_13: `{host?: boolean, attendees?: [{email, absent}]}` (MarkAbsentAttendee requires both). */
export interface MarkAbsentInput {
  host?: boolean;
  attendees: { email: string; absent: boolean }[];
}

export function parseMarkAbsentInput(body: unknown): MarkAbsentInput {
  const input = asObject(body ?? {}, 'body');
  const host = optional(input.host, 'host', isBoolean, 'a boolean');
  const listed = optional(input.attendees, 'attendees', Array.isArray, 'an array') as unknown[] | undefined;
  const attendees = (listed ?? []).map((value, index) => {
    const attendee = asObject(value, `attendees[${index}]`);
    if (typeof attendee.email !== 'string') throw badRequest(`attendees.${index}.email must be a string`);
    if (typeof attendee.absent !== 'boolean') throw badRequest(`attendees.${index}.absent must be a boolean value`);
    return { email: attendee.email, absent: attendee.absent };
  });
  return { ...(host === undefined ? {} : { host }), attendees };
}

const isBoolean = (value: unknown): value is boolean => typeof value === 'boolean';

export interface CancelBookingInput {
  cancellationReason?: string;
}

const METADATA_RULE = 'Metadata must have at most 50 keys, each key up to 40 characters, and string values up to 500 characters.';
const ISO_8601 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})$/;

export function parseCreateBookingInput(body: unknown): CreateBookingInput {
  const input = asObject(body, 'body');
  const eventTypeId = optional(input.eventTypeId, 'eventTypeId', isNumber, 'a number');
  const eventTypeSlug = optional(input.eventTypeSlug, 'eventTypeSlug', isString, 'a string');
  const username = optional(input.username, 'username', isString, 'a string');
  if (eventTypeId === undefined && !(eventTypeSlug && username)) {
    throw badRequest('Either eventTypeId or eventTypeSlug + username must be provided');
  }
  const guests = optional(input.guests, 'guests', isStringArray, 'an array of strings') ?? [];
  return {
    eventTypeId,
    eventTypeSlug,
    username,
    start: parseStart(input.start),
    attendee: parseAttendee(input.attendee),
    guests,
    metadata: parseMetadata(input.metadata),
    lengthInMinutes: optional(input.lengthInMinutes, 'lengthInMinutes', isNumber, 'a number'),
    bookingFieldsResponses: input.bookingFieldsResponses === undefined ? {} : asObject(input.bookingFieldsResponses, 'bookingFieldsResponses'),
  };
}

export function parseRescheduleInput(body: unknown): RescheduleBookingInput {
  const input = asObject(body, 'body');
  if (input.seatUid !== undefined) throw badRequest('Invalid seatUid: this seat does not exist or has already been cancelled.');
  return {
    start: parseStart(input.start),
    rescheduledBy: optional(input.rescheduledBy, 'rescheduledBy', isString, 'a string'),
    reschedulingReason: optional(input.reschedulingReason, 'reschedulingReason', isString, 'a string'),
  };
}

export function parseCancelInput(body: unknown): CancelBookingInput {
  const input = asObject(body, 'body');
  if (input.seatUid !== undefined) throw badRequest('Invalid seatUid: this seat does not exist or has already been cancelled.');
  optional(input.cancelSubsequentBookings, 'cancelSubsequentBookings', (value) => typeof value === 'boolean', 'a boolean');
  return { cancellationReason: optional(input.cancellationReason, 'cancellationReason', isString, 'a string') };
}

export function parseStart(value: unknown, field = 'start'): Date {
  if (typeof value !== 'string' || !ISO_8601.test(value) || Number.isNaN(Date.parse(value))) {
    throw badRequest(`${field} must be a valid ISO 8601 date string in UTC, e.g. 2024-08-13T09:00:00Z`);
  }
  return new Date(value);
}

export function parseMetadata(value: unknown): Record<string, string | number | boolean> {
  if (value === undefined) return {};
  const metadata = asObject(value, 'metadata');
  const entries = Object.entries(metadata);
  const valid =
    entries.length <= 50 &&
    entries.every(([key, entry]) => key.length <= 40 && (typeof entry === 'number' || typeof entry === 'boolean' || (typeof entry === 'string' && entry.length <= 500)));
  if (!valid) throw badRequest(METADATA_RULE);
  return metadata as Record<string, string | number | boolean>;
}

function parseAttendee(value: unknown): AttendeeInput {
  const attendee = asObject(value, 'attendee');
  if (!isString(attendee.name) || attendee.name.trim() === '') throw badRequest('attendee.name must be a non-empty string');
  if (!isValidTimeZone(attendee.timeZone)) throw badRequest('attendee.timeZone must be a valid IANA time zone');
  // Cal.com accepts a phone-only attendee only for event types configured for it; the sandbox has none.
  if (!isString(attendee.email) || !/^[^\s@]+@[^\s@]+$/.test(attendee.email)) throw badRequest('attendee.email must be an email');
  return {
    name: attendee.name,
    email: attendee.email,
    timeZone: attendee.timeZone,
    language: optional(attendee.language, 'attendee.language', isString, 'a string') ?? 'en',
    phoneNumber: optional(attendee.phoneNumber, 'attendee.phoneNumber', isString, 'a string'),
  };
}

function asObject(value: unknown, field: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw badRequest(`${field} must be an object`);
  return value as Record<string, unknown>;
}

function optional<T>(value: unknown, field: string, check: (value: unknown) => value is T, what: string): T | undefined;
function optional(value: unknown, field: string, check: (value: unknown) => boolean, what: string): unknown;
function optional(value: unknown, field: string, check: (value: unknown) => boolean, what: string): unknown {
  if (value === undefined) return undefined;
  if (!check(value)) throw badRequest(`${field} must be ${what}`);
  return value;
}

const isString = (value: unknown): value is string => typeof value === 'string';
const isNumber = (value: unknown): value is number => typeof value === 'number' && Number.isFinite(value);
const isStringArray = (value: unknown): value is string[] => Array.isArray(value) && value.every(isString);
