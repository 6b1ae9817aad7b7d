import { dateTimeProblem, isEntityId, ValidationFailedError } from '#domain';

export interface AppointmentCursor {
  startsAt: string;
  appointmentId: string;
}

/** A cursor this API hands out is well under this; anything longer was made by hand. */
export const MAX_CURSOR_LENGTH = 500;

const BASE64URL = /^[A-Za-z0-9_-]+$/;

/** Opaque to clients: base64url of the last row's sort key, so its shape can change without breaking them. */
export function encodeAppointmentCursor(cursor: AppointmentCursor): string {
  return Buffer.from(JSON.stringify([cursor.startsAt, cursor.appointmentId])).toString('base64url');
}

/**
 * Cursors come back from clients, so they are read as hostile input: base64url text of valid UTF-8 JSON holding a
 * real date-time and an appointment id, or a 400. Nothing else reaches the SQL (PostgreSQL would refuse a NUL or
 * 31 February with a 500).
 */
export function decodeAppointmentCursor(cursor: string): AppointmentCursor {
  const decoded = typeof cursor === 'string' && cursor.length <= MAX_CURSOR_LENGTH && BASE64URL.test(cursor) ? parse(cursor) : undefined;
  if (Array.isArray(decoded) && decoded.length === 2 && dateTimeProblem(decoded[0]) === null && isEntityId(decoded[1])) {
    return { startsAt: decoded[0], appointmentId: decoded[1] };
  }
  throw new ValidationFailedError('cursor is not one this API handed out', { field: 'cursor' });
}

function parse(cursor: string): unknown {
  try {
    return JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(Buffer.from(cursor, 'base64url')));
  } catch {
    return undefined; // not UTF-8 JSON: reported by the caller like any other malformed cursor
  }
}
