import type { RunningSandbox, SandboxCatalog } from '../src/index.js';
import { attendee, type SandboxClient, startAt, testClock } from './support/sandbox-client.js';
import { type SandboxWithWebhooks, startSandboxWithWebhooks } from './support/sandbox-under-test.js';
import type { WebhookReceiver } from './support/webhook-receiver.js';

/** /_sandbox: the catalog, the customer's own actions, silent changes, the state record and reset. */
let started: SandboxWithWebhooks;
let sandbox: RunningSandbox;
let receiver: WebhookReceiver;
let client: SandboxClient;
const clock = testClock('2030-01-01T08:00:00.000Z');

const triggers = () => receiver.received.map((webhook) => `${webhook.json.triggerEvent} ${webhook.json.payload.uid}`);
const customerBooks = async (start = startAt(2)) => {
  const reply = await client.lever('POST', '/bookings', { eventTypeId: 101, start, attendee: attendee() });
  expect(reply.status).toBe(201);
  return reply.body;
};

beforeAll(async () => {
  started = await startSandboxWithWebhooks({ now: clock.now });
  ({ sandbox, receiver, client } = started);
});
beforeEach(() => started.reset());
afterAll(() => started?.close());

test('the sandbox listens on 127.0.0.1 by default', () => {
  expect(sandbox.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
});

describe('catalog', () => {
  const catalog: SandboxCatalog = {
    users: [{ id: 10, name: 'Dr Kim', email: 'kim@clinic.example', username: 'kim', timeZone: 'Asia/Seoul' }],
    eventTypes: [{ id: 500, slug: 'check-up', title: 'Check-up', lengthInMinutes: 20, ownerId: 10, schedulingType: null }],
  };

  test('PUT replaces it; the API books and lists from it, and the key now belongs to its first user', async () => {
    expect((await client.lever('PUT', '/catalog', catalog)).status).toBe(200);
    expect((await client.lever('GET', '/catalog')).body).toEqual(catalog);
    const eventTypes = await client.v2('GET', '/event-types', undefined, { 'cal-api-version': '2024-06-14' });
    expect(eventTypes.body.data.map((eventType: { slug: string }) => eventType.slug)).toEqual(['check-up']);
    const booked = await client.v2('POST', '/bookings', { eventTypeId: 500, start: startAt(2), attendee: attendee() });
    expect(booked.body.data).toMatchObject({ duration: 20, hosts: [{ id: 10, timeZone: 'Asia/Seoul' }] });
    expect((await client.v2('GET', '/me')).body.data.id).toBe(10);
  });

  test.each([
    ['no users', { users: [], eventTypes: [] }, /at least one user/],
    ['an unknown host', { ...catalog, eventTypes: [{ ...catalog.eventTypes[0], hosts: [99], schedulingType: 'ROUND_ROBIN' }] }, /hosts/],
    ['a bad time zone', { ...catalog, users: [{ ...catalog.users[0], timeZone: 'Nowhere' }] }, /timeZone/],
  ])('with %s is a 400', async (_, body, message) => {
    const reply = await client.lever('PUT', '/catalog', body);
    expect(reply.status).toBe(400);
    expect(reply.body.error.message).toMatch(message);
  });
});

describe('the customer', () => {
  test('books, moves and cancels with the webhooks Cal.com would send, recorded as the customer', async () => {
    const booking = await customerBooks(startAt(2));
    const moved = (await client.lever('POST', `/bookings/${booking.uid}/reschedule`, { start: startAt(3), reason: 'Train late' })).body;
    const cancelled = await client.lever('POST', `/bookings/${moved.uid}/cancel`, { reason: 'Changed my mind' });
    expect(cancelled.status).toBe(200);
    expect(cancelled.body).toMatchObject({ uid: moved.uid, status: 'cancelled', cancellationReason: 'Changed my mind', cancelledByEmail: 'ann@example.com' });
    expect(triggers()).toEqual([`BOOKING_CREATED ${booking.uid}`, `BOOKING_RESCHEDULED ${moved.uid}`, `BOOKING_CANCELLED ${moved.uid}`]);
    expect(receiver.received[1].json.payload).toMatchObject({ rescheduleUid: booking.uid, rescheduledBy: 'ann@example.com' });
    expect(receiver.received[2].json.payload).toMatchObject({ cancelledBy: 'ann@example.com', cancellationReason: 'Changed my mind' });
    expect((await client.state()).mutations.map(({ op, uid, via, rescheduledFromUid }) => ({ op, uid, via, rescheduledFromUid }))).toEqual([
      { op: 'create', uid: booking.uid, via: 'customer', rescheduledFromUid: undefined },
      { op: 'reschedule', uid: moved.uid, via: 'customer', rescheduledFromUid: booking.uid },
      { op: 'cancel', uid: moved.uid, via: 'customer', rescheduledFromUid: undefined },
    ]);
  });

  test("follows Cal.com's rules too", async () => {
    await customerBooks(startAt(2, '09:00'));
    const clash = await client.lever('POST', '/bookings', { eventTypeId: 101, start: startAt(2, '09:15'), attendee: attendee('Bo', 'bo@example.com') });
    expect(clash.status).toBe(400);
    expect(clash.body.error.message).toBe('User either already has booking at this time or is not available');
    expect((await client.lever('POST', '/bookings/nope/cancel', {})).status).toBe(404);
  });
});

describe('silent changes', () => {
  test('PATCH moves a booking with no webhook; the API shows it and the log calls it silent', async () => {
    const booking = await customerBooks(startAt(2, '09:00'));
    clock.advance(30_000);
    const patched = await client.lever('PATCH', `/bookings/${booking.uid}`, { start: startAt(2, '13:00'), status: 'cancelled', hostId: 2 });
    expect(patched.status).toBe(200);
    await customerBooks(startAt(4)); // marker
    expect(triggers()).toEqual([`BOOKING_CREATED ${booking.uid}`, expect.stringMatching(/^BOOKING_CREATED /)]);
    expect((await client.v2('GET', `/bookings/${booking.uid}`)).body.data).toMatchObject({
      start: '2030-01-02T13:00:00.000Z',
      end: '2030-01-02T13:30:00.000Z',
      status: 'cancelled',
      hosts: [{ id: 2 }],
      updatedAt: '2030-01-01T08:00:30.000Z',
    });
    expect((await client.state()).mutations[1]).toEqual({ at: '2030-01-01T08:00:30.000Z', op: 'edit', uid: booking.uid, via: 'silent' });
  });

  test('PATCH checks what it is given', async () => {
    const booking = await customerBooks();
    expect((await client.lever('PATCH', `/bookings/${booking.uid}`, { status: 'gone' })).status).toBe(400);
    expect((await client.lever('PATCH', `/bookings/${booking.uid}`, { end: startAt(1) })).status).toBe(400);
    expect((await client.lever('PATCH', `/bookings/${booking.uid}`, { colour: 'red' })).status).toBe(400);
    expect((await client.lever('PATCH', '/bookings/nope', {})).status).toBe(404);
  });

  test('DELETE removes a booking with no webhook', async () => {
    const booking = await customerBooks();
    expect((await client.lever('DELETE', `/bookings/${booking.uid}`)).status).toBe(204);
    expect((await client.v2('GET', `/bookings/${booking.uid}`)).status).toBe(404);
    expect((await client.v2('GET', '/bookings')).body.data).toEqual([]);
    await customerBooks(startAt(4)); // marker
    expect(receiver.received).toHaveLength(2);
    expect((await client.state()).mutations.map((mutation) => `${mutation.op} ${mutation.via}`)).toEqual(['create customer', 'delete silent', 'create customer']);
  });
});

test('state lists bookings as the API shows them, every change once, and every webhook', async () => {
  const viaApi = (await client.v2('POST', '/bookings', { eventTypeId: 103, start: startAt(2), attendee: attendee() })).body.data;
  await client.v2('POST', `/bookings/${viaApi.uid}/reassign`);
  const byCustomer = await customerBooks(startAt(3));
  const state = await client.state();
  expect(state.bookings).toEqual([(await client.v2('GET', `/bookings/${viaApi.uid}`)).body.data, byCustomer]);
  expect(state.mutations.map((mutation) => [mutation.op, mutation.uid, mutation.via])).toEqual([
    ['create', viaApi.uid, 'api'],
    ['reassign', viaApi.uid, 'api'],
    ['create', byCustomer.uid, 'customer'],
  ]);
  expect(state.webhooks.map((webhook) => [webhook.triggerEvent, webhook.uid, webhook.delivered, webhook.status])).toEqual([
    ['BOOKING_CREATED', viaApi.uid, true, 200],
    ['BOOKING_CREATED', byCustomer.uid, true, 200],
  ]);
});

test('reset empties the state and restores faults and the catalog the sandbox started with', async () => {
  await customerBooks();
  await client.lever('PUT', '/faults', { apiLatencyMs: 5 });
  await client.lever('PUT', '/catalog', { users: [{ id: 9, name: 'N', email: 'n@x.example', username: 'n', timeZone: 'UTC' }], eventTypes: [] });
  expect((await client.lever('POST', '/reset')).status).toBe(204);
  expect(await client.state()).toEqual({ bookings: [], mutations: [], webhooks: [] });
  expect((await client.lever('GET', '/faults')).body.apiLatencyMs).toBe(0);
  expect((await client.lever('GET', '/catalog')).body.users[0].id).toBe(1);
});

test('an unknown lever is a 404', async () => {
  expect((await client.lever('POST', '/nothing')).status).toBe(404);
});
