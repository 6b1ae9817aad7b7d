import type { IncomingMessage } from 'node:http';
import { parseBusyBlocks } from './availability.js';
import { parseBehaviours, type SandboxBehaviours } from './behaviours.js';
import type { BookingActions } from './booking-actions.js';
import type { BookingContext } from './booking-context.js';
import { parseCreateBookingInput, parseDeclineInput, parseMarkAbsentInput, parseStart } from './booking-input.js';
import { fillBookings } from './booking-fill.js';
import { toBookingOutput } from './booking-output.js';
import type { BookingRecord } from './booking-store.js';
import { parseCatalog, type SandboxCatalog } from './catalog.js';
import { parseFaults, type FaultSettings } from './faults.js';
import { matchRoute, readJsonBody, type HttpAnswer } from './http-exchange.js';
import { SandboxHttpError, badRequest, notFound } from './sandbox-error.js';
import { deleteSilently, editSilently } from './silent-edits.js';

export interface LeverDependencies {
  context: BookingContext;
  actions: BookingActions;
  faults: FaultSettings;
  setCatalog(catalog: SandboxCatalog): void;
  setBehaviours(behaviours: SandboxBehaviours): void;
  reset(): void;
}

interface Lever {
  method: string;
  pattern: RegExp;
  handler: (params: string[], body: unknown) => Promise<HttpAnswer>;
}

/**
 * /_sandbox: the customer's side of Cal.com (book, move, cancel, with the webhooks Cal.com would send), silent
 * changes, fault knobs and the record of what happened. No authentication: the sandbox binds to 127.0.0.1.
 */
export function sandboxLevers(deps: LeverDependencies): (request: IncomingMessage, path: string) => Promise<HttpAnswer> {
  const { context, actions } = deps;
  const output = (record: BookingRecord) => toBookingOutput(record, context.store);
  const attendeeEmail = (uid: string) => {
    const record = context.store.get(uid);
    if (!record) throw notFound(`Booking with uid=${uid} was not found in the database`);
    return record.attendees[0]?.email ?? '';
  };
  const levers: Lever[] = [
    { method: 'GET', pattern: /^\/_sandbox\/catalog$/, handler: async () => ({ status: 200, body: context.catalog() }) },
    {
      method: 'PUT',
      pattern: /^\/_sandbox\/catalog$/,
      handler: async (_, body) => {
        deps.setCatalog(parseCatalog(body));
        return { status: 200, body: context.catalog() };
      },
    },
    {
      method: 'POST',
      pattern: /^\/_sandbox\/bookings$/,
      handler: async (_, body) => ({ status: 201, body: output(await actions.create(parseCreateBookingInput(body), 'customer')) }),
    },
    {
      method: 'POST',
      pattern: /^\/_sandbox\/bookings\/([^/]+)\/reschedule$/,
      handler: async ([uid], body) => {
        const { start, reason } = objectBody(body);
        const rescheduledBy = attendeeEmail(uid);
        const input = { start: parseStart(start), rescheduledBy, reschedulingReason: optionalString(reason, 'reason') };
        return { status: 201, body: output(await actions.reschedule(uid, input, 'customer')) };
      },
    },
    {
      method: 'POST',
      pattern: /^\/_sandbox\/bookings\/([^/]+)\/cancel$/,
      handler: async ([uid], body) => {
        const cancellationReason = optionalString(objectBody(body ?? {}).reason, 'reason');
        return { status: 200, body: output(await actions.cancel(uid, { cancellationReason }, attendeeEmail(uid), 'customer')) };
      },
    },
    {
      method: 'POST',
      pattern: /^\/_sandbox\/bookings\/([^/]+)\/confirm$/,
      handler: async ([uid]) => ({ status: 200, body: output(await actions.confirm(uid, 'host')) }),
    },
    {
      method: 'POST',
      pattern: /^\/_sandbox\/bookings\/([^/]+)\/decline$/,
      handler: async ([uid], body) => ({ status: 200, body: output(await actions.decline(uid, parseDeclineInput(body), 'host')) }),
    },
    {
      method: 'POST',
      pattern: /^\/_sandbox\/bookings\/([^/]+)\/mark-absent$/,
      handler: async ([uid], body) => ({ status: 200, body: output(await actions.markAbsent(uid, parseMarkAbsentInput(body), 'host')) }),
    },
    { method: 'PATCH', pattern: /^\/_sandbox\/bookings\/([^/]+)$/, handler: async ([uid], body) => ({ status: 200, body: output(editSilently(context, uid, body)) }) },
    {
      method: 'DELETE',
      pattern: /^\/_sandbox\/bookings\/([^/]+)$/,
      handler: async ([uid]) => {
        deleteSilently(context, uid);
        return { status: 204 };
      },
    },
    { method: 'POST', pattern: /^\/_sandbox\/bookings\/fill$/, handler: async (_, body) => ({ status: 201, body: fillBookings(context, body) }) },
    { method: 'GET', pattern: /^\/_sandbox\/busy$/, handler: async () => ({ status: 200, body: context.busy.blocks }) },
    {
      method: 'PUT',
      pattern: /^\/_sandbox\/busy$/,
      handler: async (_, body) => {
        context.busy.blocks = parseBusyBlocks(body, new Set(context.catalog().users.map((user) => user.id)));
        return { status: 200, body: context.busy.blocks };
      },
    },
    { method: 'GET', pattern: /^\/_sandbox\/behaviours$/, handler: async () => ({ status: 200, body: context.behaviours() }) },
    {
      method: 'PUT',
      pattern: /^\/_sandbox\/behaviours$/,
      handler: async (_, body) => {
        deps.setBehaviours(parseBehaviours(body));
        return { status: 200, body: context.behaviours() };
      },
    },
    { method: 'GET', pattern: /^\/_sandbox\/faults$/, handler: async () => ({ status: 200, body: deps.faults.current }) },
    {
      method: 'PUT',
      pattern: /^\/_sandbox\/faults$/,
      handler: async (_, body) => {
        deps.faults.set(parseFaults(body));
        return { status: 200, body: deps.faults.current };
      },
    },
    {
      method: 'GET',
      pattern: /^\/_sandbox\/state$/,
      handler: async () => ({
        status: 200,
        body: { bookings: context.store.all().map(output), mutations: context.store.mutations, webhooks: context.webhooks.log },
      }),
    },
    {
      method: 'POST',
      pattern: /^\/_sandbox\/reset$/,
      handler: async () => {
        deps.reset();
        return { status: 204 };
      },
    },
  ];
  return async (request, path) => {
    const matched = matchRoute(levers, request.method ?? 'GET', path);
    if (!matched) throw new SandboxHttpError(404, 'NotFoundException', `Cannot ${request.method} ${path}`);
    return matched.route.handler(matched.params, await readJsonBody(request));
  };
}

function objectBody(body: unknown): Record<string, unknown> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw badRequest('body must be an object');
  return body as Record<string, unknown>;
}

function optionalString(value: unknown, field: string): string | undefined {
  if (value !== undefined && typeof value !== 'string') throw badRequest(`${field} must be a string`);
  return value;
}
