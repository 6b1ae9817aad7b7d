import { NotFoundError, ValidationFailedError } from '../../../../libs/domain/src/index.js';
import { ID_PATTERN } from './validators.js';

/** A path id that could never exist is a 404 rather than a 400: it names no appointment. */
export function appointmentIdFromPath(value: string): string {
  if (!ID_PATTERN.test(value)) throw new NotFoundError('appointment', value.slice(0, 64));
  return value;
}

/** An id the client is choosing for something new (PUT): a bad one is the client's mistake. */
export function newIdFromPath(entity: string, value: string): string {
  if (!ID_PATTERN.test(value)) {
    throw new ValidationFailedError(`${entity} id must be 1-64 letters, digits, "-" or "_", starting with a letter or digit`, { field: `${entity}Id` });
  }
  return value;
}

/** `If-Match: "3"` (or `3`, or `W/"3"`) → 3. Anything else is the client's mistake. */
export function expectedVersionFromIfMatch(header: string | undefined): number | undefined {
  if (header === undefined || header.trim() === '*') return undefined;
  const match = /^\s*(?:W\/)?"?(\d{1,9})"?\s*$/.exec(header);
  if (!match) throw new ValidationFailedError('If-Match must be a version in quotes, e.g. "3"', { header: 'If-Match', value: header.slice(0, 40) });
  return Number(match[1]);
}
