/**
 * The values the ledger can hold, checked at every boundary (HTTP bodies, queries, paths, webhook bodies) before
 * anything becomes an event or a fact. PostgreSQL refuses NUL in text and lone surrogates in jsonb, JavaScript's
 * `Date` silently rolls 31 February over to March, and read-model columns have ranges: a value that passes here
 * must be storable everywhere, unchanged.
 */

/** Client-chosen ids (appointments, staff, services): safe in URLs, stream names and as object keys. */
export const ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;

/** Keys that walk an object's prototype chain: refused wherever a client or Cal.com chooses a key. */
export const FORBIDDEN_KEYS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);

/**
 * Every name an object inherits (`__lookupSetter__`, `hasOwnProperty`, `toString`, ...) besides the forbidden keys:
 * no API body field is named like one, and class-validator's whitelist mistakes them for known properties.
 */
export const INHERITED_KEYS: ReadonlySet<string> = new Set([...FORBIDDEN_KEYS, ...Object.getOwnPropertyNames(Object.prototype)]);

export const isEntityId = (value: unknown): value is string => typeof value === 'string' && ID_PATTERN.test(value) && !FORBIDDEN_KEYS.has(value);

const NUL_OR_LONE_SURROGATE = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const CONTROL_CHARACTER = /[\u0000-\u001F\u007F]/;

/** What PostgreSQL cannot keep in `text` or `jsonb` at all, whatever the field: NUL and unpaired UTF-16 surrogates. */
export const hasUnstorableCharacters = (value: string): boolean => NUL_OR_LONE_SURROGATE.test(value);

/** Why a text is refused, or null when it can be stored as it is. `multiline` allows tab, newline and CR. */
export function textProblem(value: unknown, { maxLength, minLength = 0, multiline = false }: { maxLength: number; minLength?: number; multiline?: boolean }): string | null {
  if (typeof value !== 'string') return 'must be a string';
  if (value.length < minLength) return minLength === 1 ? 'must not be empty' : `must be at least ${minLength} characters`;
  if (value.length > maxLength) return `must be at most ${maxLength} characters`;
  if (NUL_OR_LONE_SURROGATE.test(value)) return 'must not contain NUL characters or unpaired UTF-16 surrogates';
  if (!multiline && CONTROL_CHARACTER.test(value)) return 'must be a single line without control characters';
  if (multiline && /[\u0001-\u0008\u000B\u000C\u000E-\u001F\u007F]/.test(value)) return 'must not contain control characters other than tab and line breaks';
  return null;
}

/** Years an appointment, a query bound or an `asOf` may name. */
export const EARLIEST_YEAR = 1970;
export const LATEST_YEAR = 2199;
/** Real offsets run from -12:00 to +14:00; anything within ±14:00 is accepted. */
export const MAX_OFFSET_MINUTES = 14 * 60;

const ISO_WITH_OFFSET = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|([+-])(\d{2}):(\d{2}))$/;

/**
 * Why an ISO 8601 date-time is refused, or null: it must say its offset, name a real calendar instant (no
 * 31 February, no 24:00, no leap second), keep its offset within ±14:00 and its year within the window, both as
 * written and as the instant in UTC.
 */
export function dateTimeProblem(value: unknown): string | null {
  if (typeof value !== 'string') return 'must be a string';
  const match = ISO_WITH_OFFSET.exec(value);
  if (!match) return 'must be an ISO 8601 date-time with an offset, e.g. 2030-01-02T10:00:00+01:00';
  const [, y, mo, d, h, mi, s = '0', , zone, sign, oh, om] = match;
  const [year, month, day, hour, minute, second] = [y, mo, d, h, mi, s].map(Number);
  if (year < EARLIEST_YEAR || year > LATEST_YEAR) return `must have a year from ${EARLIEST_YEAR} to ${LATEST_YEAR}`;
  if (month < 1 || month > 12) return 'must name a real month';
  if (day < 1 || day > daysInMonth(year, month)) return 'must name a real calendar day';
  if (hour > 23 || minute > 59 || second > 59) return 'must name a real time of day (00:00:00 to 23:59:59)';
  const offset = zone === 'Z' ? 0 : (sign === '-' ? -1 : 1) * (Number(oh) * 60 + Number(om));
  if (zone !== 'Z' && (Number(om) > 59 || Math.abs(offset) > MAX_OFFSET_MINUTES)) return 'must have an offset within ±14:00';
  // The window holds for the instant too: 2199-12-31T23:59:59-14:00 is in 2200 everywhere a query would look for it.
  const instantYear = new Date(Date.UTC(year, month - 1, day, hour, minute - offset, second)).getUTCFullYear();
  if (instantYear < EARLIEST_YEAR || instantYear > LATEST_YEAR) return `must be an instant from ${EARLIEST_YEAR} to ${LATEST_YEAR} (UTC)`;
  return null;
}

export const isRealDateTime = (value: unknown): value is string => dateTimeProblem(value) === null;

function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/** The largest id a read-model `bigint` column and a JavaScript number both hold exactly. */
export const MAX_STORED_INTEGER = Number.MAX_SAFE_INTEGER;

/** Cal.com ids (users, event types, bookings): positive safe integers, stored as `bigint`. */
export const isStoredId = (value: unknown): value is number => typeof value === 'number' && Number.isSafeInteger(value) && value > 0 && value <= MAX_STORED_INTEGER;

/** Deepest nesting and most keys a JSON body may have before anything walks it recursively. */
export const MAX_JSON_DEPTH = 32;

/**
 * The first problem of a parsed JSON value, walked without recursion (so a 100,000-level body cannot overflow the
 * stack): too deep, or a key that walks the prototype chain. Null when the value is fine.
 */
export function jsonShapeProblem(value: unknown, maxDepth = MAX_JSON_DEPTH, forbiddenKeys: ReadonlySet<string> = FORBIDDEN_KEYS): { reason: string; path: string } | null {
  const stack: { value: unknown; depth: number; path: string }[] = [{ value, depth: 0, path: '$' }];
  while (stack.length > 0) {
    const current = stack.pop()!;
    if (typeof current.value !== 'object' || current.value === null) continue;
    if (current.depth >= maxDepth) return { reason: `nested deeper than ${maxDepth} levels`, path: current.path };
    for (const key of Object.keys(current.value)) {
      if (forbiddenKeys.has(key)) return { reason: `the key "${key}" is not allowed`, path: current.path };
      stack.push({ value: (current.value as Record<string, unknown>)[key], depth: current.depth + 1, path: `${current.path}.${key.slice(0, 40)}` });
    }
  }
  return null;
}
