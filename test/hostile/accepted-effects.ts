import { eventually } from '../support/eventually.js';
import type { LedgerClient } from '../support/ledger-client.js';
import type { BodyRequest } from './command-bodies.js';
import type { RawAnswer } from './raw-http.js';

const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|([+-])(\d{2}):(\d{2}))$/;

/**
 * The instant an ISO date-time names, worked out by hand: `Date.parse` quietly turns 31 February into March, which is
 * exactly the rewrite this suite looks for. Null when the text names no real instant.
 */
export function instantOf(text: string): number | null {
  const match = DATE_TIME.exec(text);
  if (!match) return null;
  const [, y, mo, d, h, mi, s = '0', fraction = '0', zone, sign, oh, om] = match;
  const [year, month, day, hour, minute, second] = [y, mo, d, h, mi, s].map(Number);
  const local = Date.UTC(year, month - 1, day, hour, minute, second, Number(fraction.padEnd(3, '0').slice(0, 3)));
  const check = new Date(local);
  if (
    check.getUTCFullYear() !== year ||
    check.getUTCMonth() !== month - 1 ||
    check.getUTCDate() !== day ||
    check.getUTCHours() !== hour ||
    check.getUTCMinutes() !== minute ||
    check.getUTCSeconds() !== second
  )
    return null;
  const offset = zone === 'Z' ? 0 : (sign === '-' ? -1 : 1) * (Number(oh) * 60 + Number(om)) * 60_000;
  return local - offset;
}

/** JSON with object keys sorted (PostgreSQL's jsonb keeps its own key order), and -0 told apart from 0. */
const canonical = (value: unknown): string =>
  Object.is(value, -0)
    ? '-0'
    : Array.isArray(value)
      ? `[${value.map(canonical).join(',')}]`
      : typeof value === 'object' && value !== null
        ? `{${Object.keys(value)
            .sort()
            .map((key) => `${JSON.stringify(key)}:${canonical((value as Record<string, unknown>)[key])}`)
            .join(',')}}`
        : JSON.stringify(value);

/** Fails unless `actual` equals `expected`, saying which field of which accepted request was rewritten. */
function same(what: string, actual: unknown, expected: unknown, request: BodyRequest): void {
  if (canonical(actual) !== canonical(expected)) {
    throw new Error(
      `accepted but not kept as sent: ${what} is ${JSON.stringify(actual)}, was sent as ${JSON.stringify(expected)} (${request.method} ${request.target} ${request.body.slice(0, 300)})`,
    );
  }
}

function sameInstant(what: string, stored: string, sent: string, request: BodyRequest): void {
  const expected = instantOf(sent);
  if (expected === null) throw new Error(`accepted an impossible date-time: ${what} ${JSON.stringify(sent)} was stored as ${stored} (${request.method} ${request.target})`);
  if (Date.parse(stored) !== expected) throw new Error(`accepted but moved: ${what} ${JSON.stringify(sent)} is stored as ${stored} (${request.method} ${request.target})`);
}

/** The appointments list (the read model) shows the appointment at the instant it was given. */
async function listedAt(client: LedgerClient, appointmentId: string, staffId: string, startsAt: string, request: BodyRequest): Promise<void> {
  const instant = Date.parse(startsAt);
  const window = `from=${encodeURIComponent(new Date(instant - 60_000).toISOString())}&to=${encodeURIComponent(new Date(instant + 60_000).toISOString())}`;
  await eventually(async () => {
    const { status, body } = await client.get(`/appointments?staffId=${staffId}&limit=200&${window}`);
    const found = status === 200 ? body.items.find((item: { appointmentId: string }) => item.appointmentId === appointmentId) : undefined;
    if (!found)
      throw new Error(
        `accepted but not in the appointments list: ${appointmentId} at ${startsAt} (GET → ${status}) after ${request.method} ${request.target} ${request.body.slice(0, 300)}`,
      );
    sameInstant('the listed startsAt', found.startsAt, startsAt, request);
  }, 5_000);
}

/**
 * After a 2xx: what the command changed reads back exactly as it was sent, from the appointment's stream and from the
 * read models (a value the domain accepts that a column cannot hold would stop the projector, or be changed by it).
 */
export async function expectKeptAsSent(client: LedgerClient, request: BodyRequest, answer: RawAnswer): Promise<void> {
  const sent = JSON.parse(request.body);
  const appointmentId = /^\/appointments\/([^/]+)\//.exec(request.target)?.[1] ?? (JSON.parse(answer.text) as { appointmentId?: string }).appointmentId;
  const appointment = async () => {
    const { status, body } = await client.get(`/appointments/${appointmentId}`);
    if (status !== 200) throw new Error(`accepted, then GET /appointments/${appointmentId} → ${status}`);
    return body;
  };
  switch (request.endpoint) {
    case 'schedule': {
      const stored = await appointment();
      same('serviceId', stored.serviceId, sent.serviceId, request);
      same('staffId', stored.staffId, sent.staffId, request);
      same('customer', stored.customer, { name: sent.customer.name, email: sent.customer.email, timeZone: sent.customer.timeZone, phone: sent.customer.phone ?? null }, request);
      same('notes', stored.notes, sent.notes ?? null, request);
      sameInstant('startsAt', stored.startsAt, sent.startsAt, request);
      await listedAt(client, stored.appointmentId, stored.staffId, stored.startsAt, request);
      return;
    }
    case 'reschedule': {
      const stored = await appointment();
      sameInstant('startsAt', stored.startsAt, sent.startsAt, request);
      await listedAt(client, stored.appointmentId, stored.staffId, stored.startsAt, request);
      return;
    }
    case 'cancel': {
      const stored = await appointment();
      same('status', stored.status, 'cancelled', request);
      same('cancellationReason', stored.cancellationReason, sent.reason, request);
      return;
    }
    case 'reassign':
      same('staffId', (await appointment()).staffId, sent.staffId, request);
      return;
    case 'change-service':
      same('serviceId', (await appointment()).serviceId, sent.serviceId, request);
      return;
    case 'save staff':
    case 'save service': {
      const [, list, id] = /^\/(staff|services)\/(.+)$/.exec(request.target)!;
      const expected =
        list === 'staff'
          ? { name: sent.name, email: sent.email, calcomUserId: sent.calcomUserId ?? null }
          : { name: sent.name, durationMinutes: sent.durationMinutes, calcomEventTypeIds: sent.calcomEventTypeIds };
      await eventually(async () => {
        const { body } = await client.get(`/${list}`);
        const found = body.items.find((item: Record<string, unknown>) => item[list === 'staff' ? 'staffId' : 'serviceId'] === id);
        if (!found) throw new Error(`accepted but not in GET /${list}: ${request.method} ${request.target} ${request.body.slice(0, 300)}`);
        for (const [field, value] of Object.entries(expected)) same(`${list}.${field}`, found[field], value, request);
      }, 5_000);
      return;
    }
  }
}
