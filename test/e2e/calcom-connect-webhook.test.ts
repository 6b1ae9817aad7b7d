import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startSandbox, type RunningSandbox } from '#calcom-sandbox';
import type { RunningLedger } from '../../apps/ledger/src/ledger.js';
import { SALON_CATALOG } from '../support/calcom-connect-world.js';
import { CalcomWebhookPoster } from '../support/calcom-webhook-poster.js';
import { eventually } from '../support/eventually.js';
import { ADMIN_TOKEN, AUDITOR_TOKEN, startTestLedger } from '../support/ledger-for-tests.js';
import { LedgerClient } from '../support/ledger-client.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

/**
 * The ledger's own webhook subscription: registered once per URL, repaired when someone changed it on Cal.com, its
 * secret rotated with an overlap in which old and new are both accepted, removed on disconnect; and the connect
 * endpoints' refusals (hostile bodies, auditors, Cal.com down, Cal.com sending text the input rules refuse).
 */
const OVERLAP_MS = 1_500;
const example = readFileSync(join(process.cwd(), 'apps/calcom-sandbox/reference/webhook-examples/booking-created.dev-docs.json'), 'utf8');

let sandbox: RunningSandbox;
let ledger: RunningLedger;
let database: TestDatabase;
let admin: LedgerClient;
let target: { publicUrl: string };

beforeAll(async () => {
  const hostile = { ...SALON_CATALOG, users: SALON_CATALOG.users.map((user) => (user.id === 3 ? { ...user, name: 'Rita\u0000\u0007 Host' } : user)) };
  sandbox = await startSandbox({ catalog: hostile });
  database = await createTestDatabase('calcom_connect_webhook');
  ledger = await startTestLedger(database.url, {
    calcom: {
      apiUrl: sandbox.url,
      apiKey: sandbox.apiKey,
      timeoutMs: 2_000,
      rateLimitPerMinute: 100_000,
      syncConcurrency: 2,
      retryInitialDelayMs: 50,
      retryMaxDelayMs: 500,
      sandboxPort: 0,
    },
    calcomWebhookSecret: null,
    calcomWebhookSecretOverlapMs: OVERLAP_MS,
  });
  admin = new LedgerClient(ledger.url, ADMIN_TOKEN);
  target = { publicUrl: ledger.url };
}, 60_000);

afterAll(async () => {
  await ledger?.close();
  await database?.drop();
  await sandbox?.close();
});

async function calcom<T = any>(method: string, path: string, body?: unknown): Promise<T> {
  const response = await fetch(`${sandbox.url}/v2${path}`, {
    method,
    headers: { authorization: `Bearer ${sandbox.apiKey}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  return ((await response.json()) as { data: T }).data;
}

const subscriptions = () => calcom<{ id: number; subscriberUrl: string; secret?: string; active: boolean }[]>('GET', '/webhooks');
const signedWith = (secret: string) => new CalcomWebhookPoster(`${ledger.url}/webhooks/calcom`, secret).post(example);

it('registers one subscription whose secret the ledger checks; a second registration changes nothing', async () => {
  const registered = await admin.post('/calcom/connect/apply', { ...target, step: 'webhook' });
  expect(registered.status).toBe(200);
  expect(registered.body.webhook).toMatchObject({ action: 'create', subscriberUrl: `${ledger.url}/webhooks/calcom` });
  const [subscription, ...others] = await subscriptions();
  expect(others).toEqual([]);
  expect(subscription.secret).toMatch(/^[0-9a-f]{64}$/);
  expect((await signedWith(subscription.secret!)).status).toBe(200);
  expect((await signedWith('not-the-secret')).status).toBe(401);
  const again = await admin.post('/calcom/connect/apply', { ...target, step: 'webhook' });
  expect(again.body.webhook).toMatchObject({ action: 'unchanged', subscriptionId: subscription.id });
  expect(await subscriptions()).toHaveLength(1);
  expect((await admin.get('/calcom/connect')).body).toEqual({
    calcomConfigured: true,
    linked: true,
    subscriptions: [{ subscriberUrl: `${ledger.url}/webhooks/calcom`, subscriptionId: subscription.id, previousSecretAcceptedUntil: null }],
  });
  expect(JSON.stringify((await admin.get('/calcom/connect')).body)).not.toContain(subscription.secret);
});

it('a duplicate at the same URL is removed, and a secret changed on Cal.com is replaced', async () => {
  const [ours] = await subscriptions();
  await calcom('POST', '/webhooks', { subscriberUrl: `${ledger.url}/webhooks/calcom`, triggers: ['BOOKING_CREATED'], active: true });
  await calcom('PATCH', `/webhooks/${ours.id}`, { secret: 'typed-by-hand', active: false });
  const plan = (await admin.post('/calcom/connect/plan', target)).body.webhook;
  expect(plan).toMatchObject({ action: 'update', subscriptionId: ours.id, differences: ['active', 'secret'], duplicates: [expect.any(Number)] });
  await admin.post('/calcom/connect/apply', { ...target, step: 'webhook' });
  const after = await subscriptions();
  expect(after.map(({ id, active }) => [id, active])).toEqual([[ours.id, true]]);
  expect(after[0].secret).not.toBe('typed-by-hand');
  expect((await signedWith(after[0].secret!)).status).toBe(200);
});

it('rotating the secret accepts old and new during the overlap, then only the new one', async () => {
  const [before] = await subscriptions();
  const rotated = await admin.post('/calcom/connect/rotate-secret', target);
  expect(rotated.status).toBe(200);
  const [after] = await subscriptions();
  expect(after.secret).not.toBe(before.secret);
  expect((await signedWith(after.secret!)).status).toBe(200);
  expect((await signedWith(before.secret!)).status).toBe(200);
  expect((await admin.get('/calcom/connect')).body.subscriptions[0].previousSecretAcceptedUntil).toBe(rotated.body.previousAcceptedUntil);
  await eventually(async () => expect((await signedWith(before.secret!)).status).toBe(401), OVERLAP_MS * 4, 100);
  expect((await signedWith(after.secret!)).status).toBe(200);
});

it('disconnect removes the subscription on Cal.com and the ledger stops accepting its secret', async () => {
  const [subscription] = await subscriptions();
  const disconnected = await admin.post('/calcom/connect/disconnect', target);
  expect(disconnected.body).toEqual({ removed: [subscription.id] });
  expect(await subscriptions()).toEqual([]);
  // The intake trusts what it read for 2 s, so that every instance stops accepting it within that.
  await eventually(async () => expect((await signedWith(subscription.secret!)).status).toBe(401), 10_000, 100);
  expect((await admin.get('/calcom/connect')).body).toMatchObject({ linked: false, subscriptions: [] });
  expect((await admin.post('/calcom/connect/rotate-secret', target)).status).toBe(404);
});

it('a host name Cal.com sends with NUL and control characters is not saved as it is', async () => {
  const { body } = await admin.post('/calcom/connect/plan', target);
  expect(body.catalog.staff.find((staff: { calcomUserId: number }) => staff.calcomUserId === 3)).toMatchObject({ staffId: 'rita', name: 'rita', change: 'add' });
  expect((await admin.post('/calcom/connect/apply', { ...target, step: 'catalog' })).status).toBe(200);
  expect((await admin.get('/staff/rita')).body.name ?? (await admin.get('/staff')).body.items.find((staff: { staffId: string }) => staff.staffId === 'rita').name).toBe('rita');
});

it.each([
  ['a javascript: URL', { publicUrl: 'javascript:alert(1)' }],
  ['a URL with NUL', { publicUrl: 'http://ledger\u0000.example' }],
  ['a huge URL', { publicUrl: `https://ledger.example/${'a'.repeat(5000)}` }],
  ['negative days', { daysBack: -1 }],
  ['days as a string', { daysBack: '7' }],
  ['too many days', { daysBack: 1e9 }],
  ['an unknown field', { publicUrl: 'https://ledger.example', calcomApiKey: 'cal_x' }],
])('a plan with %s is refused with 400 and nothing is asked of Cal.com', async (_, body) => {
  const reply = await admin.post('/calcom/connect/plan', body);
  expect(reply.status).toBe(400);
  expect(reply.body.error.code).toBe('VALIDATION_FAILED');
});

it.each([
  ['no step', {}],
  ['an unknown step', { step: '__proto__' }],
  ['a zero batch', { step: 'bookings', limit: 0 }],
  ['a huge batch', { step: 'bookings', limit: 100_000 }],
  ['a nested prototype key', JSON.parse('{"step":"catalog","constructor":{"prototype":{"polluted":true}}}')],
])('apply with %s is refused with 400', async (_, body) => {
  const reply = await admin.post('/calcom/connect/apply', body);
  expect(reply.status).toBe(400);
  expect(({} as { polluted?: boolean }).polluted).toBeUndefined();
});

it('without PUBLIC_URL the webhook step says what is missing; auditors may look but not connect; Cal.com down is a 502', async () => {
  const missing = await admin.post('/calcom/connect/apply', { step: 'webhook' });
  expect(missing.status).toBe(400);
  expect(missing.body.error).toMatchObject({ code: 'VALIDATION_FAILED', details: { field: 'publicUrl' } });
  const auditor = admin.as(AUDITOR_TOKEN);
  expect((await auditor.post('/calcom/connect/plan', target)).status).toBe(403);
  expect((await auditor.get('/calcom/connect')).status).toBe(200);
  await fetch(`${sandbox.url}/_sandbox/faults`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ apiErrorRate: 1 }) });
  try {
    const down = await admin.post('/calcom/connect/plan', target);
    expect(down.status).toBe(502);
    expect(down.body.error.code).toBe('CALCOM_UNAVAILABLE');
  } finally {
    await fetch(`${sandbox.url}/_sandbox/faults`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: '{}' });
  }
});
