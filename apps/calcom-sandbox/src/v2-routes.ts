import type { BookingActions } from './booking-actions.js';
import type { BookingContext } from './booking-context.js';
import { parseCancelInput, parseCreateBookingInput, parseDeclineInput, parseMarkAbsentInput, parseRescheduleInput } from './booking-input.js';
import { toBookingOutput } from './booking-output.js';
import { queryBookings } from './booking-query.js';
import type { BookingReassignment } from './booking-reassignment.js';
import { eventTypeRoutes } from './event-type-routes.js';
import { slotsRoute } from './slots-route.js';
import { webhookRoutes } from './webhook-routes.js';
import type { WebhookSubscriptions } from './webhook-subscriptions.js';
import { badRequest, notFound } from './sandbox-error.js';
import { BOOKINGS_VERSION, success, type V2Route } from './v2-route.js';

export { BOOKINGS_VERSION, EVENT_TYPES_VERSION, success, type V2Request, type V2Route } from './v2-route.js';

export function v2Routes(context: BookingContext, actions: BookingActions, reassignment: BookingReassignment, subscriptions: WebhookSubscriptions): V2Route[] {
  const output = (record: Parameters<typeof toBookingOutput>[0]) => toBookingOutput(record, context.store);
  const bookings = (pattern: RegExp, method: string, handler: V2Route['handler']): V2Route => ({ method, pattern, version: BOOKINGS_VERSION, handler });
  return [
    bookings(/^\/v2\/bookings$/, 'POST', async ({ body }) => success(201, output(await actions.create(parseCreateBookingInput(body), 'api')))),
    bookings(/^\/v2\/bookings$/, 'GET', async ({ query }) => {
      const page = queryBookings(context.store.all(), query, context.now());
      return success(200, page.records.map(output), { pagination: page.pagination });
    }),
    bookings(/^\/v2\/bookings\/([^/]+)$/, 'GET', async ({ params: [uid] }) => {
      const record = context.store.get(uid);
      if (!record) throw notFound(`Booking with uid=${uid} was not found in the database`);
      return success(200, output(record));
    }),
    bookings(/^\/v2\/bookings\/([^/]+)\/cancel$/, 'POST', async ({ params: [uid], body, caller }) =>
      success(200, output(await actions.cancel(uid, parseCancelInput(body ?? {}), caller.email, 'api', caller.id))),
    ),
    bookings(/^\/v2\/bookings\/([^/]+)\/reschedule$/, 'POST', async ({ params: [uid], body }) =>
      success(201, output(await actions.reschedule(uid, parseRescheduleInput(body), 'api'))),
    ),
    bookings(/^\/v2\/bookings\/([^/]+)\/confirm$/, 'POST', async ({ params: [uid] }) => success(200, output(await actions.confirm(uid, 'api')))),
    bookings(/^\/v2\/bookings\/([^/]+)\/decline$/, 'POST', async ({ params: [uid], body }) => success(200, output(await actions.decline(uid, parseDeclineInput(body), 'api')))),
    bookings(/^\/v2\/bookings\/([^/]+)\/mark-absent$/, 'POST', async ({ params: [uid], body }) =>
      success(200, output(await actions.markAbsent(uid, parseMarkAbsentInput(body), 'api'))),
    ),
    bookings(/^\/v2\/bookings\/([^/]+)\/reassign$/, 'POST', async ({ params: [uid] }) => success(200, reassignment.toAnyFreeHost(uid, 'api'))),
    bookings(/^\/v2\/bookings\/([^/]+)\/reassign\/([^/]+)$/, 'POST', async ({ params: [uid, userId], body }) => {
      if (!/^\d+$/.test(userId)) throw badRequest('Validation failed (numeric string is expected)');
      if (body !== undefined && (typeof body !== 'object' || body === null || Array.isArray(body))) throw badRequest('body must be an object');
      return success(200, reassignment.toUser(uid, Number(userId), 'api'));
    }),
    ...eventTypeRoutes(context),
    slotsRoute(context),
    ...webhookRoutes(subscriptions),
    {
      method: 'GET',
      pattern: /^\/v2\/me$/,
      handler: async ({ caller }) =>
        success(200, {
          id: caller.id,
          username: caller.username,
          email: caller.email,
          timeFormat: 12,
          defaultScheduleId: null,
          weekStart: 'Monday',
          timeZone: caller.timeZone,
          organizationId: null,
        }),
    },
  ];
}
