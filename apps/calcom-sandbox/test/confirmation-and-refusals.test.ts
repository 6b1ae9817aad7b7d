import { DEFAULT_CATALOG, type SandboxCatalog } from '../src/catalog.js';
import { assertExactlySchema, assertValidResponse } from './support/openapi-validator.js';
import { attendee, type SandboxClient, startAt, testClock } from './support/sandbox-client.js';
import { type SandboxWithWebhooks, startSandboxWithWebhooks } from './support/sandbox-under-test.js';
import type { WebhookReceiver } from './support/webhook-receiver.js';

/** Confirmation-required event types (BOOKING_REQUESTED, confirm, decline) and an event type that disallows cancelling. */
let started: SandboxWithWebhooks;
let receiver: WebhookReceiver;
let client: SandboxClient;

const CATALOG: SandboxCatalog = {
  users: DEFAULT_CATALOG.users,
  eventTypes: [
    ...DEFAULT_CATALOG.eventTypes,
    { id: 201, slug: 'opt-in-30', title: 'Opt in', lengthInMinutes: 30, ownerId: 1, schedulingType: null, requiresConfirmation: true },
    { id: 202, slug: 'firm-30', title: 'Firm', lengthInMinutes: 30, ownerId: 1, schedulingType: null, disableCancelling: true },
  ],
};

const triggers = () => receiver.received.map((webhook) => `${webhook.json.triggerEvent} ${webhook.json.payload.uid}`);
const book = async (eventTypeId: number, start = startAt(2)) => {
  const reply = await client.v2('POST', '/bookings', { eventTypeId, start, attendee: attendee() });
  expect(reply.status).toBe(201);
  return reply.body.data;
};

beforeAll(async () => {
  started = await startSandboxWithWebhooks({ now: testClock().now, catalog: CATALOG });
  ({ receiver, client } = started);
});
beforeEach(() => {
  receiver.received.length = 0;
});
afterAll(() => started?.close());

test('a create on a confirmation-required type is pending, listed as unconfirmed, and announced as BOOKING_REQUESTED', async () => {
  const booking = await book(201);
  expect(booking.status).toBe('pending');
  assertExactlySchema('BookingOutput_2024_08_13', booking);
  expect(triggers()).toEqual([`BOOKING_REQUESTED ${booking.uid}`]);
  expect(receiver.received[0].json.payload).toMatchObject({ status: 'PENDING', requiresConfirmation: true });
  const unconfirmed = await client.v2('GET', '/bookings?status=unconfirmed');
  expect(unconfirmed.body.data.map((row: { uid: string }) => row.uid)).toContain(booking.uid);
});

test('confirm makes it accepted with BOOKING_CREATED; confirming again is a 400 and sends nothing', async () => {
  const booking = await book(201, startAt(3));
  receiver.received.length = 0;
  const confirmed = await client.v2('POST', `/bookings/${booking.uid}/confirm`);
  expect(confirmed.status).toBe(200);
  assertValidResponse('POST', '/v2/bookings/{bookingUid}/confirm', 200, confirmed.body);
  expect(confirmed.body.data.status).toBe('accepted');
  expect(triggers()).toEqual([`BOOKING_CREATED ${booking.uid}`]);
  expect(receiver.received[0].json.payload.status).toBe('ACCEPTED');

  const again = await client.v2('POST', `/bookings/${booking.uid}/confirm`);
  expect(again.status).toBe(400);
  expect(triggers()).toHaveLength(1);
  expect((await client.v2('POST', '/bookings/no-such-uid/confirm')).status).toBe(404);
});

test('decline makes it rejected with BOOKING_REJECTED and the reason; a rejected booking cannot be rescheduled', async () => {
  const booking = await book(201, startAt(4));
  receiver.received.length = 0;
  const declined = await client.v2('POST', `/bookings/${booking.uid}/decline`, { reason: 'Fully booked \u0000 that day' });
  expect(declined.status).toBe(200);
  assertValidResponse('POST', '/v2/bookings/{bookingUid}/decline', 200, declined.body);
  expect(declined.body.data.status).toBe('rejected');
  expect(triggers()).toEqual([`BOOKING_REJECTED ${booking.uid}`]);
  expect(receiver.received[0].json.payload).toMatchObject({ status: 'REJECTED', rejectionReason: 'Fully booked \u0000 that day' });
  expect((await client.v2('POST', `/bookings/${booking.uid}/reschedule`, { start: startAt(5) })).status).toBe(400);
  expect((await client.v2('POST', `/bookings/${booking.uid}/decline`, { reason: 42 })).status).toBe(400);
  expect((await client.v2('POST', `/bookings/${booking.uid}/decline`, ['__proto__'])).status).toBe(400);
});

test("a customer's reschedule is pending and announced as BOOKING_REQUESTED with rescheduleUid; the old uid is cancelled", async () => {
  const booking = await book(201, startAt(6));
  await client.v2('POST', `/bookings/${booking.uid}/confirm`);
  receiver.received.length = 0;
  const moved = await client.lever('POST', `/bookings/${booking.uid}/reschedule`, { start: startAt(7), reason: 'Train late' });
  expect(moved.status).toBe(201);
  expect(moved.body).toMatchObject({ status: 'pending', rescheduledFromUid: booking.uid });
  expect(triggers()).toEqual([`BOOKING_REQUESTED ${moved.body.uid}`]);
  expect(receiver.received[0].json.payload).toMatchObject({ rescheduleUid: booking.uid, status: 'PENDING', rescheduledBy: 'ann@example.com' });
  expect((await client.v2('GET', `/bookings/${booking.uid}`)).body.data).toMatchObject({ status: 'cancelled', rescheduledToUid: moved.body.uid });

  receiver.received.length = 0;
  const confirmed = await client.lever('POST', `/bookings/${moved.body.uid}/confirm`);
  expect(confirmed.body.status).toBe('accepted');
  expect(triggers()).toEqual([`BOOKING_CREATED ${moved.body.uid}`]);
});

test("an API reschedule without rescheduledBy stays pending; with the host's email it is accepted as BOOKING_RESCHEDULED", async () => {
  const booking = await book(201, startAt(8));
  const anonymous = await client.v2('POST', `/bookings/${booking.uid}/reschedule`, { start: startAt(9) });
  expect(anonymous.body.data.status).toBe('pending');
  receiver.received.length = 0;
  const byHost = await client.v2('POST', `/bookings/${anonymous.body.data.uid}/reschedule`, {
    start: startAt(10),
    rescheduledBy: 'OLIVIA@sandbox.example',
  });
  expect(byHost.status).toBe(201);
  expect(byHost.body.data.status).toBe('accepted');
  expect(triggers()).toEqual([`BOOKING_RESCHEDULED ${byHost.body.data.uid}`]);
  const byStranger = await client.v2('POST', `/bookings/${byHost.body.data.uid}/reschedule`, { start: startAt(11), rescheduledBy: 'olivia@evil.example' });
  expect(byStranger.body.data.status).toBe('pending');
});

test('event types without the flags keep accepting bookings at once (BOOKING_CREATED)', async () => {
  const booking = await book(101, startAt(12));
  expect(booking.status).toBe('accepted');
  expect(triggers()).toEqual([`BOOKING_CREATED ${booking.uid}`]);
});

test('cancelling on a type that disallows it answers 500 like Cal.com, changes nothing and sends nothing', async () => {
  const booking = await book(202, startAt(13));
  receiver.received.length = 0;
  const before = (await client.state()).mutations.length;
  for (const by of ['api', 'customer']) {
    const reply =
      by === 'api'
        ? await client.v2('POST', `/bookings/${booking.uid}/cancel`, { cancellationReason: 'Ill' })
        : await client.lever('POST', `/bookings/${booking.uid}/cancel`, { reason: 'Ill' });
    expect(reply.status).toBe(500);
  }
  expect((await client.v2('GET', `/bookings/${booking.uid}`)).body.data.status).toBe('accepted');
  expect((await client.state()).mutations).toHaveLength(before);
  expect(receiver.received).toHaveLength(0);
});

test('the catalog refuses flags that are not booleans', async () => {
  const bad = { ...CATALOG, eventTypes: [{ ...CATALOG.eventTypes[0], requiresConfirmation: 'yes' }] };
  const reply = await client.lever('PUT', '/catalog', bad);
  expect(reply.status).toBe(400);
  expect(JSON.stringify(reply.body)).toMatch(/requiresConfirmation must be a boolean/);
  expect((await client.lever('GET', '/catalog')).body.eventTypes).toHaveLength(5);
});
