import { isEntityId, NotFoundError, ValidationFailedError } from '#domain';

/** A path id that could never exist is a 404 rather than a 400: it names no appointment. */
export function appointmentIdFromPath(value: string): string {
  if (!isEntityId(value)) throw new NotFoundError('appointment', printable(value));
  return value;
}

/** An id the client is choosing for something new (PUT): a bad one is the client's mistake. */
export function newIdFromPath(entity: string, value: string): string {
  if (!isEntityId(value)) {
    throw new ValidationFailedError(`${entity} id must be 1-64 letters, digits, "-" or "_", starting with a letter or digit, and not __proto__, constructor or prototype`, {
      field: `${entity}Id`,
    });
  }
  return value;
}

/** Echoed in an error: short, and without the characters that made it impossible (NUL, lone surrogates). */
export const printable = (value: string): string => value.slice(0, 64).replace(/[\u0000-\u001F\u007F\uD800-\uDFFF]/g, '\uFFFD');

/** `If-Match: "3"` (or `3`, or `W/"3"`) → 3. Anything else is the client's mistake. */
export function expectedVersionFromIfMatch(header: string | undefined): number | undefined {
  if (header === undefined || header.trim() === '*') return undefined;
  const match = /^\s*(?:W\/)?"?(\d{1,9})"?\s*$/.exec(header);
  if (!match) throw new ValidationFailedError('If-Match must be a version in quotes, e.g. "3"', { header: 'If-Match', value: header.slice(0, 40) });
  return Number(match[1]);
}
