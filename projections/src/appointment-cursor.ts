import { ValidationFailedError } from '../../libs/domain/src/index.js';

export interface AppointmentCursor {
  startsAt: string;
  appointmentId: string;
}

/** Opaque to clients: base64url of the last row's sort key, so its shape can change without breaking them. */
export function encodeAppointmentCursor(cursor: AppointmentCursor): string {
  return Buffer.from(JSON.stringify([cursor.startsAt, cursor.appointmentId])).toString('base64url');
}

export function decodeAppointmentCursor(cursor: string): AppointmentCursor {
  try {
    const decoded: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (
      Array.isArray(decoded) &&
      decoded.length === 2 &&
      typeof decoded[0] === 'string' &&
      typeof decoded[1] === 'string' &&
      !Number.isNaN(Date.parse(decoded[0]))
    ) {
      return { startsAt: decoded[0], appointmentId: decoded[1] };
    }
  } catch {
    // Not base64url JSON: reported below like any other malformed cursor.
  }
  throw new ValidationFailedError('cursor is not one this API handed out', { field: 'cursor' });
}
