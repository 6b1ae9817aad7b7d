import { createHmac } from 'node:crypto';
import { startSandbox, type RunningSandbox } from '../src/index.js';
import { attendee, sandboxClient, startAt, testClock } from './support/sandbox-client.js';
import { startWebhookReceiver, type WebhookReceiver } from './support/webhook-receiver.js';

/** `/v2/webhooks` subscriptions receive what Cal.com would send them, each signed with its own secret; the fill lever. */
let sandbox: RunningSandbox;
let client: ReturnType<typeof sandboxClient>;
let receivers: WebhookReceiver[];
const clock = testClock();

beforeEach(async () => {
  sandbox = await startSandbox({ now: clock.now });
  client = sandboxClient(sandbox);
  receivers = await Promise.all([startWebhookReceiver(), startWebhookReceiver(), startWebhookReceiver()]);
});
afterEach(async () => {
  await sandbox.close();
  await Promise.all(receivers.map((receiver) => receiver.close()));
});

const sign = (body: Buffer, secret: string) => createHmac('sha256', secret).update(body).digest('hex');

test('every active subscription whose triggers include the event gets it, signed with its own secret', async () => {
  const [a, b, inactive] = receivers;
  await client.v2('POST', '/webhooks', { subscriberUrl: a.url, triggers: ['BOOKING_CREATED', 'BOOKING_CANCELLED'], active: true, secret: 'secret-a' });
  await client.v2('POST', '/webhooks', { subscriberUrl: b.url, triggers: ['BOOKING_CANCELLED'], active: true, secret: 'secret-b' });
  await client.v2('POST', '/webhooks', { subscriberUrl: inactive.url, triggers: ['BOOKING_CREATED', 'BOOKING_CANCELLED'], active: false, secret: 'secret-c' });
  const booked = (await client.lever('POST', '/bookings', { eventTypeId: 101, start: startAt(3), attendee: attendee() })).body;
  await client.lever('POST', `/bookings/${booked.uid}/cancel`, { reason: 'Changed my mind' });

  expect(a.received.map((webhook) => webhook.json.triggerEvent)).toEqual(['BOOKING_CREATED', 'BOOKING_CANCELLED']);
  expect(b.received.map((webhook) => webhook.json.triggerEvent)).toEqual(['BOOKING_CANCELLED']);
  expect(inactive.received).toEqual([]);
  for (const webhook of a.received) expect(webhook.headers['x-cal-signature-256']).toBe(sign(webhook.rawBody, 'secret-a'));
  expect(b.received[0].headers['x-cal-signature-256']).toBe(sign(b.received[0].rawBody, 'secret-b'));
  expect(b.received[0].headers['x-cal-signature-256']).not.toBe(sign(b.received[0].rawBody, 'secret-a'));
  const log = (await client.state()).webhooks as { subscriptionId?: number; delivered: boolean }[];
  expect(log.filter((entry) => entry.subscriptionId !== undefined).map((entry) => entry.delivered)).toEqual([true, true, true]);
});

test('a deleted or deactivated subscription gets nothing more; a secret changed by PATCH signs the next delivery', async () => {
  const [a, b] = receivers;
  const first = (await client.v2('POST', '/webhooks', { subscriberUrl: a.url, triggers: ['BOOKING_CREATED'], active: true, secret: 'old' })).body.data;
  const second = (await client.v2('POST', '/webhooks', { subscriberUrl: b.url, triggers: ['BOOKING_CREATED'], active: true })).body.data;
  await client.v2('PATCH', `/webhooks/${first.id}`, { secret: 'new' });
  await client.v2('DELETE', `/webhooks/${second.id}`);
  await client.lever('POST', '/bookings', { eventTypeId: 101, start: startAt(4), attendee: attendee() });
  expect(a.received).toHaveLength(1);
  expect(a.received[0].headers['x-cal-signature-256']).toBe(sign(a.received[0].rawBody, 'new'));
  expect(b.received).toEqual([]);
  await client.v2('PATCH', `/webhooks/${first.id}`, { active: false });
  await client.lever('POST', '/bookings', { eventTypeId: 101, start: startAt(5), attendee: attendee() });
  expect(a.received).toHaveLength(1);
});

test.each([
  ['no subscriberUrl', { triggers: ['BOOKING_CREATED'], active: true }],
  ['a subscriberUrl that is no URL', { subscriberUrl: 'not a url\u0000', triggers: ['BOOKING_CREATED'], active: true }],
  ['a non-http subscriberUrl', { subscriberUrl: 'file:///etc/passwd', triggers: ['BOOKING_CREATED'], active: true }],
  ['a huge subscriberUrl', { subscriberUrl: `https://x.example/${'a'.repeat(5000)}`, triggers: ['BOOKING_CREATED'], active: true }],
  ['triggers as a string', { subscriberUrl: 'https://x.example', triggers: 'BOOKING_CREATED', active: true }],
  ['an unknown trigger', { subscriberUrl: 'https://x.example', triggers: ['__proto__'], active: true }],
  ['active as a string', { subscriberUrl: 'https://x.example', triggers: ['BOOKING_CREATED'], active: 'yes' }],
  ['an unknown field', JSON.parse('{"__proto__":{"polluted":true},"subscriberUrl":"https://x.example","triggers":["BOOKING_CREATED"],"active":true}')],
  ['an array body', [1, 2]],
])('a webhook with %s is refused with 400 and nothing is registered', async (_, body) => {
  const reply = await client.v2('POST', '/webhooks', body);
  expect(reply.status).toBe(400);
  expect(reply.body.error.code).toBe('BadRequestException');
  expect((await client.v2('GET', '/webhooks')).body.data).toEqual([]);
  expect(({} as { polluted?: boolean }).polluted).toBeUndefined();
});

test('unknown webhook ids are 404; the same URL may be registered twice, as on Cal.com (the ledger must not do it)', async () => {
  expect((await client.v2('GET', '/webhooks/999')).status).toBe(404);
  expect((await client.v2('PATCH', '/webhooks/abc', { active: true })).status).toBe(404);
  expect((await client.v2('DELETE', '/webhooks/999')).status).toBe(404);
  const body = { subscriberUrl: 'https://x.example/h', triggers: ['BOOKING_CREATED'], active: true };
  await client.v2('POST', '/webhooks', body);
  await client.v2('POST', '/webhooks', body);
  expect((await client.v2('GET', '/webhooks?take=1')).body.data).toHaveLength(1);
  expect((await client.v2('GET', '/webhooks')).body.data).toHaveLength(2);
  expect((await client.v2('GET', '/webhooks?take=251')).status).toBe(400);
});

test('the fill lever adds past, cancelled, rescheduled (linked as Cal.com links them) and upcoming bookings, sending no webhook', async () => {
  const [a] = receivers;
  await client.v2('POST', '/webhooks', { subscriberUrl: a.url, triggers: ['BOOKING_CREATED'], active: true });
  const summary = (await client.lever('POST', '/bookings/fill', { count: 100, eventTypeIds: [101, 103] })).body;
  expect(summary).toMatchObject({ added: 100 });
  expect(summary.upcoming + summary.past + summary.cancelled + summary.rescheduledRows).toBe(100);
  expect(Math.min(summary.past, summary.cancelled, summary.rescheduled)).toBeGreaterThan(0);
  const all = (await client.v2('GET', '/bookings?take=250')).body.data as {
    uid: string;
    status: string;
    eventTypeId: number;
    rescheduledFromUid?: string;
    rescheduledToUid?: string;
    start: string;
  }[];
  expect(all).toHaveLength(100);
  expect(new Set(all.map((booking) => booking.eventTypeId))).toEqual(new Set([101, 103]));
  const moved = all.filter((booking) => booking.rescheduledToUid);
  expect(moved).toHaveLength(summary.rescheduledRows);
  for (const old of moved) {
    expect(old.status).toBe('cancelled');
    expect(all.find((booking) => booking.uid === old.rescheduledToUid)?.rescheduledFromUid).toBe(old.uid);
  }
  const upcoming = (await client.v2('GET', '/bookings?status=upcoming&take=250')).body.data;
  expect(upcoming).toHaveLength(summary.upcoming);
  const past = (await client.v2('GET', `/bookings?status=past&take=250`)).body.data as { start: string }[];
  expect(past.length).toBeGreaterThanOrEqual(summary.past);
  expect(a.received).toEqual([]);
  expect((await client.lever('POST', '/bookings/fill', { count: 0 })).status).toBe(400);
  expect((await client.lever('POST', '/bookings/fill', { count: 1, eventTypeIds: [999] })).status).toBe(400);
});
