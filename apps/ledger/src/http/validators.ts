import { applyDecorators } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { isEmail, isTimeZone, ValidateBy, type ValidationOptions } from 'class-validator';
import { dateTimeProblem, ID_PATTERN, isEntityId, isStoredId, MAX_STORED_INTEGER, textProblem } from '#domain';

/**
 * The DTO decorators, all built on the domain's input rules (libs/domain/src/input-rules.ts), so that what passes
 * here can become an event and a read-model row unchanged.
 */

/** Longest text per kind of field; the README's input rules list them. */
export const TEXT_LIMITS = { name: 200, email: 254, phone: 40, timeZone: 64, reason: 500, notes: 2000 } as const;

/** A problem-returning rule as a class-validator constraint whose message names the field and the problem. */
function Satisfies(name: string, problemOf: (value: unknown) => string | null, validationOptions?: ValidationOptions) {
  return ValidateBy(
    {
      name,
      validator: {
        validate: (value: unknown) => problemOf(value) === null,
        defaultMessage: (args) => `$property ${problemOf(args?.value) ?? 'is not valid'}`,
      },
    },
    validationOptions,
  );
}

export function IsEntityId(options: { description: string; optional?: boolean }) {
  const property = options.optional ? ApiPropertyOptional : ApiProperty;
  return applyDecorators(property({ type: String, description: options.description, pattern: ID_PATTERN.source, example: 'a1b2c3' }), Satisfies('isEntityId', entityIdProblem));
}

export const entityIdProblem = (value: unknown): string | null =>
  isEntityId(value) ? null : 'must be 1-64 letters, digits, "-" or "_", starting with a letter or digit, and not __proto__, constructor or prototype';

/**
 * Text that PostgreSQL and JSON can keep as it is: no NUL, no unpaired surrogate, within its length. Single-line
 * unless `multiline` (notes and reasons may hold line breaks and tabs).
 */
export function IsSafeText(options: { maxLength: number; minLength?: number; multiline?: boolean }, validationOptions?: ValidationOptions) {
  return Satisfies('isSafeText', (value) => textProblem(value, options), validationOptions);
}

/** A name or a phone number: one line of at most `maxLength` characters, not empty. */
export function IsLine(maxLength: number, options: { required?: boolean; example?: string } = {}) {
  const required = options.required ?? true;
  const property = required ? ApiProperty : ApiPropertyOptional;
  return applyDecorators(property({ type: String, maxLength, example: options.example }), IsSafeText({ maxLength, minLength: required ? 1 : 0 }));
}

/**
 * validator.js's checks run only on text already known to be safe: isEmail throws a URIError on an unpaired
 * surrogate, which would surface as a 500.
 */
const safeThen =
  (maxLength: number, check: (value: string) => boolean, what: string) =>
  (value: unknown): string | null =>
    textProblem(value, { maxLength, minLength: 1 }) ?? (check(value as string) ? null : what);

export function IsEmailAddress() {
  return applyDecorators(
    ApiProperty({ type: String, maxLength: TEXT_LIMITS.email, example: 'ada@example.com' }),
    Satisfies(
      'isEmailAddress',
      safeThen(TEXT_LIMITS.email, (value) => isEmail(value), 'must be an email address'),
    ),
  );
}

export function IsTimeZoneName() {
  return applyDecorators(
    ApiProperty({ type: String, maxLength: TEXT_LIMITS.timeZone, example: 'Europe/London' }),
    Satisfies('isTimeZoneName', safeThen(TEXT_LIMITS.timeZone, isKnownTimeZone, 'must be an IANA time zone, e.g. Europe/London')),
  );
}

/**
 * class-validator's isTimeZone builds an Intl.DateTimeFormat for each answer (70-110 µs, most of a create's
 * validation), so the zones it has accepted are remembered: a few hundred exist, and past MAX_REMEMBERED_ZONES
 * (spellings in other cases are accepted too) the rest are asked each time. Refusals are never remembered.
 */
const rememberedZones = new Set<string>();
const MAX_REMEMBERED_ZONES = 2_000;

function isKnownTimeZone(value: string): boolean {
  if (rememberedZones.has(value)) return true;
  if (!isTimeZone(value)) return false;
  if (rememberedZones.size < MAX_REMEMBERED_ZONES) rememberedZones.add(value);
  return true;
}

export function IsReason(options: { required: boolean }) {
  const property = options.required ? ApiProperty : ApiPropertyOptional;
  return applyDecorators(
    property({ type: String, description: 'Why, for the record', maxLength: TEXT_LIMITS.reason }),
    IsSafeText({ maxLength: TEXT_LIMITS.reason, minLength: options.required ? 1 : 0, multiline: true }),
  );
}

export function IsNotes() {
  return applyDecorators(ApiPropertyOptional({ type: String, maxLength: TEXT_LIMITS.notes }), IsSafeText({ maxLength: TEXT_LIMITS.notes, multiline: true }));
}

/**
 * An ISO 8601 date-time that says its offset and names a real instant: `2036-02-31T10:00:00Z` is refused rather than
 * read as 2 March, a bare local time is ambiguous, and the year and offset stay within what PostgreSQL keeps.
 */
export function IsDateTimeWithOffset(validationOptions?: ValidationOptions) {
  return Satisfies('isDateTimeWithOffset', dateTimeProblem, validationOptions);
}

export const calcomIdProblem = (value: unknown): string | null => (isStoredId(value) ? null : `must be a whole number from 1 to ${MAX_STORED_INTEGER}`);

/** A Cal.com id (user, event type): a positive safe integer, kept as `bigint`. */
export function IsCalcomId(validationOptions?: ValidationOptions) {
  return Satisfies('isCalcomId', calcomIdProblem, validationOptions);
}

/** Staff members a service can name in `calcomEventTypeIds`; far more than any business has. */
export const MAX_EVENT_TYPE_MAP_ENTRIES = 500;

/** Why a `{ "<staffId>": <eventTypeId> }` map is refused, or null. */
export function eventTypeMapProblem(value: unknown): string | null {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return 'must be an object of staff ids to Cal.com event type ids';
  const entries = Object.entries(value);
  if (entries.length > MAX_EVENT_TYPE_MAP_ENTRIES) return `must name at most ${MAX_EVENT_TYPE_MAP_ENTRIES} staff members`;
  for (const [staffId, eventTypeId] of entries) {
    if (!isEntityId(staffId)) return `has a key that is not a staff id: ${JSON.stringify(String(staffId).slice(0, 70))}`;
    if (!isStoredId(eventTypeId)) return `.${staffId} must be a whole number from 1 to ${MAX_STORED_INTEGER}`;
  }
  return null;
}

export function IsEventTypeMap() {
  return Satisfies('isEventTypeMap', eventTypeMapProblem);
}
