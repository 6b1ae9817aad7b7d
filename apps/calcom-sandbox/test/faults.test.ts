import { eventually } from '#test-support/eventually';
import { attendee, type SandboxClient, startAt, testClock } from './support/sandbox-client.js';
import { type SandboxWithWebhooks, startSandboxWithWebhooks } from './support/sandbox-under-test.js';
import type { WebhookReceiver } from './support/webhook-receiver.js';

/** Each fault knob of PUT /_sandbox/faults, observed from outside over HTTP. */
let started: SandboxWithWebhooks;
let receiver: WebhookReceiver;
let client: SandboxClient;
const clock = testClock('2030-01-01T08:00:00.000Z');

const setFaults = async (faults: object) => expect((await client.lever('PUT', '/faults', faults)).status).toBe(200);
const book = (start = startAt(2), who = attendee()) => client.v2('POST', '/bookings', { eventTypeId: 101, start, attendee: who });
const elapsedMs = async (work: () => Promise<unknown>) => {
  const started = performance.now();
  await work().catch(() => undefined);
  return performance.now() - started;
};

beforeAll(async () => {
  started = await startSandboxWithWebhooks({ now: clock.now, webhookSecret: 's' });
  ({ receiver, client } = started);
});
beforeEach(() => started.reset());
afterAll(() => started?.close());

test('apiErrorRate: a 500 in the error envelope, and nothing happened', async () => {
  await setFaults({ apiErrorRate: 1 });
  const reply = await book();
  expect(reply.status).toBe(500);
  expect(reply.body).toMatchObject({ status: 'error', error: { code: 'INTERNAL_SERVER_ERROR', message: 'Internal server error.' } });
  const state = await client.state();
  expect([state.bookings, state.mutations, state.webhooks]).toEqual([[], [], []]);
});

test('apiTimeoutRate: no answer, yet the booking exists, its webhook went out, and the change is logged once', async () => {
  await setFaults({ apiTimeoutRate: 1 });
  await expect(book()).rejects.toThrow();
  const state = await client.state();
  expect(state.bookings).toHaveLength(1);
  const { uid } = state.bookings[0];
  expect(state.mutations).toEqual([{ at: expect.any(String), op: 'create', uid, via: 'api' }]);
  expect(state.webhooks).toEqual([{ at: expect.any(String), triggerEvent: 'BOOKING_CREATED', uid, delivered: true, status: 200 }]);
  expect(receiver.received.map((webhook) => webhook.json.payload.uid)).toEqual([uid]);
});

test('apiTimeoutHangMs: the timed-out request hangs that long before the connection drops', async () => {
  await setFaults({ apiTimeoutRate: 1, apiTimeoutHangMs: 300 });
  expect(await elapsedMs(() => client.v2('GET', '/me'))).toBeGreaterThanOrEqual(290);
});

test('apiLatencyMs: every answer comes at least that late', async () => {
  await setFaults({ apiLatencyMs: 250 });
  let reply: { status: number } | undefined;
  expect(await elapsedMs(async () => (reply = await client.v2('GET', '/me')))).toBeGreaterThanOrEqual(240);
  expect(reply?.status).toBe(200);
});

test('rateLimitPerMinute: lowers the per-key limit and its headers', async () => {
  clock.advance(120_000);
  await setFaults({ rateLimitPerMinute: 2 });
  expect((await client.v2('GET', '/me')).headers.get('X-RateLimit-Limit-Default')).toBe('2');
  await client.v2('GET', '/me');
  expect((await client.v2('GET', '/me')).status).toBe(429);
});

test('webhookDropRate: the change happens, the webhook never arrives, and the log says so', async () => {
  await setFaults({ webhookDropRate: 1 });
  const dropped = (await book()).body.data;
  await setFaults({});
  await book(startAt(3)); // marker
  expect(receiver.received.map((webhook) => webhook.json.payload.uid)).not.toContain(dropped.uid);
  expect(receiver.received).toHaveLength(1);
  expect((await client.state()).webhooks[0]).toEqual({ at: expect.any(String), triggerEvent: 'BOOKING_CREATED', uid: dropped.uid, delivered: false, status: null });
});

test('webhookDuplicateRate: the same bytes arrive twice, both signed', async () => {
  await setFaults({ webhookDuplicateRate: 1 });
  await book();
  expect(receiver.received).toHaveLength(2);
  expect(receiver.received[1].rawBody.equals(receiver.received[0].rawBody)).toBe(true);
  expect(receiver.received[1].headers['x-cal-signature-256']).toBe(receiver.received[0].headers['x-cal-signature-256']);
});

test('webhookDelayMs: the API answers first and the webhook follows', async () => {
  await setFaults({ webhookDelayMs: 300 });
  const booking = (await book()).body.data;
  expect(receiver.received).toHaveLength(0);
  await eventually(() => expect(receiver.received.map((webhook) => webhook.json.payload.uid)).toEqual([booking.uid]), 3_000);
});

test('webhookReorder: a webhook is held back and sent after the next one; a lone one is released later', async () => {
  await setFaults({ webhookReorder: true });
  const first = (await book(startAt(2))).body.data;
  const second = (await book(startAt(3), attendee('Bo', 'bo@example.com'))).body.data;
  expect(receiver.received.map((webhook) => webhook.json.payload.uid)).toEqual([second.uid, first.uid]);
  const lone = (await book(startAt(4))).body.data;
  expect(receiver.received).toHaveLength(2);
  await eventually(() => expect(receiver.received.map((webhook) => webhook.json.payload.uid)).toEqual([second.uid, first.uid, lone.uid]), 3_000);
});

test('seed: the same seed gives the same faults, another seed others', async () => {
  const pattern = async (seed: number) => {
    await setFaults({ apiErrorRate: 0.5, rateLimitPerMinute: 1000, seed });
    const statuses: number[] = [];
    for (let request = 0; request < 24; request += 1) statuses.push((await client.v2('GET', '/me')).status);
    return statuses.join(',');
  };
  const first = await pattern(42);
  expect(first).toContain('200');
  expect(first).toContain('500');
  expect(await pattern(42)).toBe(first);
  expect(await pattern(7)).not.toBe(first);
});

test('faults are read back, replaced whole by PUT, and checked', async () => {
  await setFaults({ apiLatencyMs: 5, webhookReorder: true });
  await setFaults({ apiErrorRate: 0.25 });
  expect((await client.lever('GET', '/faults')).body).toMatchObject({ apiErrorRate: 0.25, apiLatencyMs: 0, webhookReorder: false, rateLimitPerMinute: 120 });
  expect((await client.lever('PUT', '/faults', { apiErrorRate: 2 })).status).toBe(400);
  expect((await client.lever('PUT', '/faults', { retryWebhooks: true })).body.error.message).toBe('unknown fault knob(s): retryWebhooks');
});
