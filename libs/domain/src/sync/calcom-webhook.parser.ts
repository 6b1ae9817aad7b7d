/**
 * Reads every body shape Cal.com sends: `{triggerEvent, createdAt, payload:{…}}` for bookings, a flat body with the
 * booking row next to `triggerEvent` for MEETING_STARTED / MEETING_ENDED, and whatever a payload template renders,
 * sent as JSON or, when the template is not JSON, as `application/x-www-form-urlencoded`. Pure: no I/O, no clock.
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

type Json = Record<string, unknown>;

export function parseCalcomWebhook(body: string, contentType: string | null): ParsedWebhook {
  const root = readBody(body, (contentType ?? '').toLowerCase());
  if (!root.ok) return root;
  const trigger = text(root.value.triggerEvent);
  if (!trigger) return { ok: false, reason: 'The body has no triggerEvent' };
  const nested = isObject(root.value.payload);
  const payload: Json = nested ? (root.value.payload as Json) : root.value;
  return { ok: true, webhook: toWebhook(trigger.toUpperCase(), root.form ? 'form' : nested ? 'nested' : 'flat', root.value, payload) };
}

function readBody(body: string, contentType: string): { ok: true; value: Json; form: boolean } | { ok: false; reason: string } {
  const form = contentType.includes('application/x-www-form-urlencoded');
  if (form) return { ok: true, value: fromForm(body), form: true };
  try {
    const value: unknown = JSON.parse(body);
    if (!isObject(value)) return { ok: false, reason: 'The body is JSON but not an object' };
    return { ok: true, value, form: false };
  } catch {
    // Without a content type, a body that is not JSON may still be a rendered form template.
    if (!contentType && body.includes('=')) return { ok: true, value: fromForm(body), form: true };
    return { ok: false, reason: 'The body is neither JSON nor form-encoded' };
  }
}

/** `a.b=1&c={"d":2}` → `{a:{b:'1'}, c:{d:2}}`: templates may name nested fields with dots and may embed JSON. */
function fromForm(body: string): Json {
  const root: Json = {};
  for (const [key, raw] of new URLSearchParams(body)) {
    const path = key.split('.').filter(Boolean);
    if (path.length === 0) continue;
    let node = root;
    for (const part of path.slice(0, -1)) {
      if (!isObject(node[part])) node[part] = {};
      node = node[part] as Json;
    }
    node[path[path.length - 1]] = embeddedJson(raw);
  }
  return root;
}

function embeddedJson(raw: string): unknown {
  const trimmed = raw.trim();
  if (!trimmed.startsWith('{') && !trimmed.startsWith('[')) return raw;
  try {
    return JSON.parse(trimmed);
  } catch {
    return raw;
  }
}

function toWebhook(triggerEvent: string, shape: CalcomWebhook['shape'], root: Json, payload: Json): CalcomWebhook {
  const metadata = isObject(payload.metadata) ? payload.metadata : {};
  const organizer = isObject(payload.organizer) ? payload.organizer : {};
  const user = isObject(payload.user) ? payload.user : {};
  return {
    triggerEvent,
    shape,
    createdAt: instant(root.createdAt),
    bookingUid: text(payload.uid) ?? text(payload.bookingUid),
    rescheduleUid: text(payload.rescheduleUid) ?? text(payload.fromReschedule),
    startsAt: instant(payload.startTime),
    endsAt: instant(payload.endTime),
    eventTypeId: integer(payload.eventTypeId),
    hostUserId: integer(organizer.id) ?? integer(payload.userId),
    hostEmail: text(organizer.email) ?? text(user.email),
    attendees: listOf(payload.attendees).map(attendee),
    status: text(payload.status)?.toLowerCase() ?? null,
    metadata,
    appointmentId: text(metadata.appointmentId),
    cancellationReason: text(payload.cancellationReason),
    requestReschedule: payload.requestReschedule === true || payload.requestReschedule === 'true',
    notes: text(payload.additionalNotes),
    changedBy: text(payload.rescheduledBy) ?? text(payload.cancelledBy),
  };
}

function attendee(value: unknown): CalcomWebhookAttendee {
  const item = isObject(value) ? value : {};
  return {
    name: text(item.name),
    email: text(item.email),
    timeZone: text(item.timeZone),
    phone: text(item.phoneNumber),
    noShow: item.noShow === true || item.noShow === 'true' ? true : item.noShow === false || item.noShow === 'false' ? false : null,
  };
}

/** Form templates turn `attendees.0.email` into an object keyed by index. */
function listOf(value: unknown): unknown[] {
  if (Array.isArray(value)) return value;
  if (isObject(value)) return Object.keys(value).sort((a, b) => Number(a) - Number(b)).map((key) => value[key]);
  return [];
}

const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);

function text(value: unknown): string | null {
  if (typeof value === 'number') return String(value);
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : null;
}

function integer(value: unknown): number | null {
  const number = typeof value === 'string' && /^\d+$/.test(value.trim()) ? Number(value) : value;
  return typeof number === 'number' && Number.isSafeInteger(number) ? number : null;
}

/** Cal.com sends `…Z`, `….000Z` or `…+00:00` depending on the path; all become one UTC form. */
function instant(value: unknown): string | null {
  if (typeof value !== 'string' || !/^\d{4}-\d{2}-\d{2}T/.test(value)) return null;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? null : new Date(ms).toISOString();
}
