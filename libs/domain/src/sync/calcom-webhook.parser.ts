import { dateTimeProblem, isEntityId, isStoredId, textProblem } from '../input-rules.js';
import { isObject, type Json, readWebhookBody } from './calcom-webhook.body.js';

/**
 * Reads every body shape Cal.com sends: `{triggerEvent, createdAt, payload:{…}}` for bookings, a flat body with the
 * booking row next to `triggerEvent` for MEETING_STARTED / MEETING_ENDED, and whatever a payload template renders,
 * sent as JSON or, when the template is not JSON, as `application/x-www-form-urlencoded`. Pure: no I/O, no clock.
 * Every field the ledger reads passes the same input rules as the HTTP API before it can become an event: a delivery
 * that breaks one is refused at the intake (and a fact stored before these rules is ignored with the reason).
 */

export interface CalcomWebhookAttendee {
  name: string | null;
  email: string | null;
  timeZone: string | null;
  phone: string | null;
  noShow: boolean | null;
}

export interface CalcomWebhook {
  triggerEvent: string;
  shape: 'nested' | 'flat' | 'form';
  createdAt: string | null;
  /** The booking the fact is about: for a reschedule, the NEW booking. */
  bookingUid: string | null;
  /** For a reschedule, the booking it replaced. */
  rescheduleUid: string | null;
  /** UTC, millisecond ISO strings. */
  startsAt: string | null;
  endsAt: string | null;
  eventTypeId: number | null;
  hostUserId: number | null;
  hostEmail: string | null;
  attendees: CalcomWebhookAttendee[];
  /** Cal.com's status in lower case: accepted, pending, cancelled, rejected. */
  status: string | null;
  metadata: Record<string, unknown>;
  /** `metadata.appointmentId`: set by the ledger's own creates. */
  appointmentId: string | null;
  cancellationReason: string | null;
  requestReschedule: boolean;
  notes: string | null;
  /** Who made the change, when Cal.com says (`rescheduledBy`, `cancelledBy`). */
  changedBy: string | null;
}

export type ParsedWebhook = { ok: true; webhook: CalcomWebhook } | { ok: false; reason: string };

/** The API's limits for the same kinds of text; free text over its limit is cut (the stored fact keeps it whole). */
export const WEBHOOK_TEXT_LIMITS = { trigger: 100, uid: 255, name: 200, email: 254, phone: 40, timeZone: 64, status: 50, reason: 500, notes: 2000 } as const;

export function parseCalcomWebhook(body: string, contentType: string | null): ParsedWebhook {
  const root = readWebhookBody(body, (contentType ?? '').toLowerCase());
  if (!root.ok) return root;
  const fields = new FieldReader();
  const trigger = fields.line(root.value.triggerEvent, 'triggerEvent', WEBHOOK_TEXT_LIMITS.trigger);
  if (fields.problem) return fields.refusal();
  if (!trigger) return { ok: false, reason: 'The body has no triggerEvent' };
  const nested = isObject(root.value.payload);
  const payload: Json = nested ? (root.value.payload as Json) : root.value;
  const webhook = toWebhook(fields, trigger.toUpperCase(), root.form ? 'form' : nested ? 'nested' : 'flat', root.value, payload);
  return fields.problem ? fields.refusal() : { ok: true, webhook };
}

function toWebhook(fields: FieldReader, triggerEvent: string, shape: CalcomWebhook['shape'], root: Json, payload: Json): CalcomWebhook {
  const metadata = isObject(payload.metadata) ? payload.metadata : {};
  const organizer = isObject(payload.organizer) ? payload.organizer : {};
  const user = isObject(payload.user) ? payload.user : {};
  const { uid, name, email, status, reason, notes } = WEBHOOK_TEXT_LIMITS;
  return {
    triggerEvent,
    shape,
    createdAt: fields.instant(root.createdAt, 'createdAt'),
    bookingUid: fields.line(payload.uid, 'uid', uid) ?? fields.line(payload.bookingUid, 'bookingUid', uid),
    rescheduleUid: fields.line(payload.rescheduleUid, 'rescheduleUid', uid) ?? fields.line(payload.fromReschedule, 'fromReschedule', uid),
    startsAt: fields.instant(payload.startTime, 'startTime'),
    endsAt: fields.instant(payload.endTime, 'endTime'),
    eventTypeId: fields.id(payload.eventTypeId, 'eventTypeId'),
    hostUserId: fields.id(organizer.id, 'organizer.id') ?? fields.id(payload.userId, 'userId'),
    hostEmail: fields.line(organizer.email, 'organizer.email', email) ?? fields.line(user.email, 'user.email', email),
    attendees: listOf(payload.attendees).map((item, index) => attendee(fields, item, `attendees.${index}`)),
    status: fields.line(payload.status, 'status', status)?.toLowerCase() ?? null,
    metadata,
    appointmentId: fields.appointmentId(metadata.appointmentId, 'metadata.appointmentId'),
    cancellationReason: fields.freeText(payload.cancellationReason, 'cancellationReason', reason),
    requestReschedule: payload.requestReschedule === true || payload.requestReschedule === 'true',
    notes: fields.freeText(payload.additionalNotes, 'additionalNotes', notes),
    changedBy: fields.line(payload.rescheduledBy, 'rescheduledBy', name) ?? fields.line(payload.cancelledBy, 'cancelledBy', name),
  };
}

function attendee(fields: FieldReader, value: unknown, at: string): CalcomWebhookAttendee {
  const item = isObject(value) ? value : {};
  const { name, email, timeZone, phone } = WEBHOOK_TEXT_LIMITS;
  return {
    name: fields.line(item.name, `${at}.name`, name),
    email: fields.line(item.email, `${at}.email`, email),
    timeZone: fields.line(item.timeZone, `${at}.timeZone`, timeZone),
    phone: fields.line(item.phoneNumber, `${at}.phoneNumber`, phone),
    noShow: item.noShow === true || item.noShow === 'true' ? true : item.noShow === false || item.noShow === 'false' ? false : null,
  };
}

/** Form templates turn `attendees.0.email` into an object keyed by index. */
function listOf(value: unknown): unknown[] {
  if (Array.isArray(value)) return value;
  if (isObject(value))
    return Object.keys(value)
      .sort((a, b) => Number(a) - Number(b))
      .map((key) => value[key]);
  return [];
}

/**
 * Reads fields by the input rules and keeps the first problem. A value of the field's kind must be valid (a string
 * that looks like a date-time must be a real instant, a number given for an id must be one); a value of another
 * kind (a template's placeholder, an object) reads as absent, as it always has.
 */
class FieldReader {
  problem: { field: string; reason: string } | null = null;

  refusal(): ParsedWebhook {
    const { field, reason } = this.problem!;
    return { ok: false, reason: `${field} ${reason}` };
  }

  line(value: unknown, field: string, maxLength: number): string | null {
    return this.text(value, field, maxLength, false);
  }

  /** Cut to `maxLength` rather than refused: a customer's long reason is still a cancellation. */
  freeText(value: unknown, field: string, maxLength: number): string | null {
    const read = this.text(value, field, Number.MAX_SAFE_INTEGER, true);
    return read && read.length > maxLength ? `${read.slice(0, maxLength - 1).replace(/[\uD800-\uDBFF]$/, '')}…` : read;
  }

  instant(value: unknown, field: string): string | null {
    // Cal.com sends `…Z`, `….000Z` or `…+00:00` depending on the path; all become one UTC form.
    if (typeof value !== 'string' || !/^\d{4}-\d{2}-\d{2}T/.test(value)) return null;
    return this.check(field, dateTimeProblem(value)) ? new Date(Date.parse(value)).toISOString() : null;
  }

  id(value: unknown, field: string): number | null {
    const number = typeof value === 'string' && /^\d+$/.test(value.trim()) ? Number(value) : value;
    if (typeof number !== 'number') return null;
    return this.check(field, isStoredId(number) ? null : 'must be a positive safe integer') ? number : null;
  }

  appointmentId(value: unknown, field: string): string | null {
    const read = this.line(value, field, 64);
    return read !== null && this.check(field, isEntityId(read) ? null : 'must be an appointment id') ? read : null;
  }

  private text(value: unknown, field: string, maxLength: number, multiline: boolean): string | null {
    const read = typeof value === 'number' && Number.isFinite(value) ? String(value) : typeof value === 'string' ? value.trim() : '';
    if (read === '') return null;
    return this.check(field, textProblem(read, { maxLength, multiline })) ? read : null;
  }

  private check(field: string, problem: string | null): boolean {
    if (problem && !this.problem) this.problem = { field, reason: problem };
    return problem === null;
  }
}
