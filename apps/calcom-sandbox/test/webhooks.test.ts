import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { eventually } from '#test-support/eventually';
import { startSandbox, type RunningSandbox } from '../src/index.js';
import { attendee, sandboxClient, startAt, testClock } from './support/sandbox-client.js';
import { startWebhookReceiver, type ReceivedWebhook, type WebhookReceiver } from './support/webhook-receiver.js';

/** Webhooks as Cal.com sends them, received by a real HTTP subscriber, every one checked for its signature. */
const SECRET = 'whsec_sandbox_test';
let sandbox: RunningSandbox;
let receiver: WebhookReceiver;
let client: ReturnType<typeof sandboxClient>;
const clock = testClock('2030-01-01T08:00:00.000Z');

const example = (name: string) =>
  JSON.parse(readFileSync(new URL(`../reference/webhook-examples/${name}.json`, import.meta.url), 'utf8')) as {
    payload: Record<string, unknown> & { organizer: object; attendees: object[] };
  };

function expectSignedByCalCom(webhook: ReceivedWebhook, secret = SECRET) {
  const expected = createHmac('sha256', secret).update(webhook.rawBody).digest('hex');
  expect(webhook.headers['x-cal-signature-256']).toBe(expected);
  expect(webhook.headers['content-type']).toBe('application/json');
  expect(webhook.headers['x-cal-webhook-version']).toBe('2021-10-20');
  expect(Object.keys(webhook.json)).toEqual(['triggerEvent', 'createdAt', 'payload']);
}

const book = async (eventTypeId = 101, start = startAt(2)) =>
  (await client.v2('POST', '/bookings', { eventTypeId, start, attendee: attendee(), metadata: { ledgerAppointmentId: 'a-9' } })).body.data;

beforeAll(async () => {
  receiver = await startWebhookReceiver();
  sandbox = await startSandbox({ now: clock.now, webhookUrl: receiver.url, webhookSecret: SECRET });
  client = sandboxClient(sandbox);
});
beforeEach(async () => {
  await client.lever('POST', '/reset');
  receiver.received.length = 0;
  receiver.respondWith(200);
  receiver.onDelivery(() => undefined);
});
afterEach(() => receiver.received.forEach((webhook) => expectSignedByCalCom(webhook)));
afterAll(async () => {
  await sandbox.close();
  await receiver.close();
});

test('BOOKING_CREATED carries the booking, with the fields of Cal.com payloads', async () => {
  const booking = await book(101, startAt(2, '09:30'));
  expect(receiver.received).toHaveLength(1);
  const { json } = receiver.received[0];
  expect(json.triggerEvent).toBe('BOOKING_CREATED');
  expect(json.createdAt).toBe(clock.now().toISOString());
  expect(json.payload).toMatchObject({
    uid: booking.uid,
    bookingId: booking.id,
    eventTypeId: 101,
    type: 'consultation-30',
    startTime: '2030-01-02T09:30:00Z',
    endTime: '2030-01-02T10:00:00Z',
    length: 30,
    status: 'ACCEPTED',
    organizer: { id: 1, email: 'olivia@sandbox.example', timeZone: 'Europe/London', language: { locale: 'en' } },
    attendees: [{ email: 'ann@example.com', name: 'Ann Lee', timeZone: 'Europe/Berlin', language: { locale: 'en' } }],
    metadata: { ledgerAppointmentId: 'a-9', videoCallUrl: expect.any(String) },
  });
  for (const source of ['booking-created.e2e-expected', 'booking-created.dev-docs']) {
    const { payload } = example(source);
    expect(Object.keys(json.payload)).toEqual(expect.arrayContaining(Object.keys(payload)));
    expect(Object.keys(json.payload.organizer as object)).toEqual(expect.arrayContaining(Object.keys(payload.organizer)));
    expect(Object.keys((json.payload.attendees as object[])[0])).toEqual(expect.arrayContaining(Object.keys(payload.attendees[0])));
  }
});

test('the webhook is delivered before the API response that caused it returns', async () => {
  let apiAnswered = false;
  let seenDuringDelivery: boolean | undefined;
  receiver.onDelivery(() => {
    seenDuringDelivery = apiAnswered;
  });
  await book();
  apiAnswered = true;
  expect(seenDuringDelivery).toBe(false);
});

test('BOOKING_RESCHEDULED names the new booking, links the old one, and no BOOKING_CANCELLED is sent for the old uid', async () => {
  const original = await book(101, startAt(2, '09:00'));
  const moved = (await client.v2('POST', `/bookings/${original.uid}/reschedule`, { start: startAt(3, '11:00'), rescheduledBy: 'ann@example.com' })).body.data;
  await book(102, startAt(5)); // a marker: anything the reschedule sent has arrived before it
  expect(receiver.received.map((webhook) => webhook.json.triggerEvent)).toEqual(['BOOKING_CREATED', 'BOOKING_RESCHEDULED', 'BOOKING_CREATED']);
  const { payload } = receiver.received[1].json;
  expect(payload).toMatchObject({
    uid: moved.uid,
    bookingId: moved.id,
    rescheduleUid: original.uid,
    rescheduleId: original.id,
    rescheduleStartTime: '2030-01-02T09:00:00Z',
    rescheduleEndTime: '2030-01-02T09:30:00Z',
    startTime: '2030-01-03T11:00:00Z',
    endTime: '2030-01-03T11:30:00Z',
    rescheduledBy: 'ann@example.com',
    status: 'ACCEPTED',
  });
  expect(Object.keys(payload)).toEqual(expect.arrayContaining(Object.keys(example('booking-rescheduled.derived-from-source').payload)));
});

test('BOOKING_CANCELLED has +00:00 times, the reason, no metadata, and arrives while the booking still reads accepted', async () => {
  const booking = await book(101, startAt(2, '09:00'));
  let statusDuringDelivery: string | undefined;
  receiver.onDelivery(async (webhook) => {
    if (webhook.json.triggerEvent === 'BOOKING_CANCELLED') statusDuringDelivery = (await client.v2('GET', `/bookings/${booking.uid}`)).body.data.status;
  });
  await client.v2('POST', `/bookings/${booking.uid}/cancel`, { cancellationReason: 'Ill' });
  const cancelled = receiver.received[1].json;
  expect(cancelled.triggerEvent).toBe('BOOKING_CANCELLED');
  expect(cancelled.payload).toMatchObject({
    uid: booking.uid,
    bookingId: booking.id,
    startTime: '2030-01-02T09:00:00+00:00',
    endTime: '2030-01-02T09:30:00+00:00',
    cancellationReason: 'Ill',
    cancelledBy: 'olivia@sandbox.example',
    status: 'CANCELLED',
  });
  expect(cancelled.payload).not.toHaveProperty('metadata');
  expect(Object.keys(cancelled.payload)).toEqual(expect.arrayContaining(Object.keys(example('booking-cancelled.derived-from-source').payload)));
  expect(statusDuringDelivery).toBe('accepted');
  expect((await client.v2('GET', `/bookings/${booking.uid}`)).body.data.status).toBe('cancelled');
});

test('a round-robin reassign sends nothing', async () => {
  const booking = await book(103);
  expect((await client.v2('POST', `/bookings/${booking.uid}/reassign`)).status).toBe(200);
  await book(101, startAt(6)); // marker
  expect(receiver.received.map((webhook) => [webhook.json.triggerEvent, webhook.json.payload.eventTypeId])).toEqual([
    ['BOOKING_CREATED', 103],
    ['BOOKING_CREATED', 101],
  ]);
});

test('a subscriber error is recorded and not retried', async () => {
  receiver.respondWith(500);
  const booking = await book();
  receiver.respondWith(200);
  await book(101, startAt(7)); // marker
  expect(receiver.received.map((webhook) => webhook.json.payload.uid)).toEqual([booking.uid, expect.any(String)]);
  const { webhooks } = await client.state();
  expect(webhooks[0]).toEqual({ at: expect.any(String), triggerEvent: 'BOOKING_CREATED', uid: booking.uid, delivered: false, status: 500 });
  expect(webhooks[1]).toMatchObject({ delivered: true, status: 200 });
});

test('the signature check can fail: another secret or a changed byte does not verify', async () => {
  await book();
  const [webhook] = receiver.received;
  expect(() => expectSignedByCalCom(webhook, 'another-secret')).toThrow();
  const tampered = { ...webhook, rawBody: Buffer.from(webhook.rawBody.toString().replace('Ann Lee', 'Ann Lea')) };
  expect(() => expectSignedByCalCom(tampered)).toThrow();
});

test('setWebhookUrl switches the subscriber, and undefined stops deliveries', async () => {
  const other = await startWebhookReceiver();
  try {
    sandbox.setWebhookUrl(other.url);
    await book(101, startAt(2));
    sandbox.setWebhookUrl(undefined);
    await book(101, startAt(3));
    expect(other.received).toHaveLength(1);
    expect(receiver.received).toHaveLength(0);
  } finally {
    sandbox.setWebhookUrl(receiver.url);
    await other.close();
  }
});

test('without a secret the signature header is "no-secret-provided"', async () => {
  const unsigned = await startSandbox({ webhookUrl: receiver.url });
  try {
    const start = new Date(Date.now() + 86_400_000).toISOString();
    await sandboxClient(unsigned).v2('POST', '/bookings', { eventTypeId: 101, start, attendee: attendee() });
    await eventually(() => expect(receiver.received).toHaveLength(1));
    expect(receiver.received[0].headers['x-cal-signature-256']).toBe('no-secret-provided');
    receiver.received.length = 0;
  } finally {
    await unsigned.close();
  }
});
