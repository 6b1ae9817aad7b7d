import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import type { RunningLedger } from '../../apps/ledger/src/ledger.js';
import { signCalcomWebhook } from '#calcom';
import { CalcomWebhookPoster } from '../support/calcom-webhook-poster.js';
import { eventually } from '../support/eventually.js';
import { LedgerClient } from '../support/ledger-client.js';
import { AUDITOR_TOKEN, startTestLedger, TEST_ADMIN } from '../support/ledger-for-tests.js';
import { SessionClient } from '../support/session-client.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

const SECRET = 'whsec_intake_test';
const examplesDir = join(process.cwd(), 'apps/calcom-sandbox/reference/webhook-examples');
const example = (file: string): string => readFileSync(join(examplesDir, file), 'utf8');

let database: TestDatabase;
let ledger: RunningLedger;
let db: pg.Client;
let calcom: CalcomWebhookPoster;
let auditor: LedgerClient;

beforeAll(async () => {
  database = await createTestDatabase('webhooks');
  ledger = await startTestLedger(database.url, { calcomWebhookSecret: SECRET, users: [TEST_ADMIN] });
  db = new pg.Client(database.url);
  await db.connect();
  calcom = new CalcomWebhookPoster(`${ledger.url}/webhooks/calcom`, SECRET);
  auditor = new LedgerClient(ledger.url, AUDITOR_TOKEN);
});

afterAll(async () => {
  await db?.end();
  await ledger?.close();
  await database?.drop();
});

/** Stored deliveries, straight from the event store. */
async function storedFacts(): Promise<{ stream_name: string; body: string }[]> {
  const { rows } = await db.query("SELECT stream_name, data->>'body' AS body FROM events WHERE type = 'CalcomWebhookReceived' ORDER BY global_position");
  return rows;
}

const uniquePing = (note: string) => JSON.stringify({ triggerEvent: 'PING', createdAt: new Date().toISOString(), payload: { note } });

describe('signature', () => {
  it.each([
    ['missing', null],
    ['wrong', 'a'.repeat(64)],
    ["Cal.com's no-secret-provided", 'no-secret-provided'],
    ['made with another secret', 'other'],
  ])('%s: 401 INVALID_SIGNATURE and nothing stored', async (_name, signature) => {
    const body = uniquePing(`unsigned ${_name}`);
    const bad = signature === 'other' ? new CalcomWebhookPoster(`${ledger.url}/webhooks/calcom`, 'another-secret') : calcom;
    const before = (await storedFacts()).length;
    const response = await bad.post(body, signature === 'other' ? {} : { signature });
    expect(response.status).toBe(401);
    expect(response.body.error.code).toBe('INVALID_SIGNATURE');
    expect((await storedFacts()).filter((fact) => fact.body === body)).toEqual([]);
    expect((await storedFacts()).length).toBe(before);
  });

  it('is checked on the raw bytes: the same JSON re-spaced no longer matches', async () => {
    const body = uniquePing('spacing');
    const response = await calcom.post(JSON.stringify(JSON.parse(body), null, 2), { signature: signCalcomWebhook(body, SECRET) });
    expect(response.status).toBe(401);
    expect(await calcom.post(body, { signature: signCalcomWebhook(body, SECRET) })).toMatchObject({ status: 200 });
  });
});

describe('storing the delivery', () => {
  it('stores a signed delivery once, as the raw body in calcomwebhook-<sha256>, and answers 200', async () => {
    const body = uniquePing('stored');
    const response = await calcom.post(body);
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ received: true, duplicate: false, factStream: expect.stringMatching(/^calcomwebhook-[0-9a-f]{32}$/) });
    const stored = (await storedFacts()).filter((fact) => fact.body === body);
    expect(stored).toEqual([{ stream_name: response.body.factStream, body }]);
  });

  it('acknowledges a redelivered identical body as a duplicate and does not store it again', async () => {
    const body = uniquePing('twice');
    const first = await calcom.post(body);
    const again = await calcom.post(body);
    expect(first.body.duplicate).toBe(false);
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ duplicate: true, factStream: first.body.factStream });
    expect((await storedFacts()).filter((fact) => fact.body === body)).toHaveLength(1);
  });

  it('takes concurrent identical deliveries once', async () => {
    const body = uniquePing('racing');
    const answers = await Promise.all(Array.from({ length: 8 }, () => calcom.post(body)));
    expect(answers.map((answer) => answer.status)).toEqual(Array(8).fill(200));
    expect(answers.filter((answer) => !answer.body.duplicate)).toHaveLength(1);
    expect((await storedFacts()).filter((fact) => fact.body === body)).toHaveLength(1);
  });

  it('stores many concurrent deliveries (committed together), each answered only once its fact is committed', async () => {
    const bodies = Array.from({ length: 150 }, (_, index) => uniquePing(`crowd ${index}`));
    const repeated = bodies.slice(0, 20);
    const factVisibleAtAnswer = async (body: string) => {
      const answer = await calcom.post(body);
      // Read on another connection as soon as the 200 arrives: a fact answered before its commit would be missing.
      const { rows } = await db.query("SELECT count(*)::int AS count FROM events WHERE stream_name = $1 AND type = 'CalcomWebhookReceived'", [answer.body.factStream]);
      return { body, answer, visible: rows[0].count };
    };

    const answers = await Promise.all([...bodies, ...repeated, ...repeated].map(factVisibleAtAnswer));

    expect(answers.filter(({ answer }) => answer.status !== 200)).toEqual([]);
    expect(answers.filter(({ visible }) => visible !== 1)).toEqual([]);
    expect(
      answers
        .filter(({ answer }) => !answer.body.duplicate)
        .map(({ body }) => body)
        .sort(),
    ).toEqual([...bodies].sort());
    const stored = (await storedFacts()).filter((fact) => bodies.includes(fact.body));
    expect(stored).toHaveLength(bodies.length);
    // Committed together: fewer transactions than deliveries.
    const { rows } = await db.query("SELECT count(DISTINCT transaction_id)::int AS count FROM events WHERE stream_name = ANY($1) AND type = 'CalcomWebhookReceived'", [
      stored.map((fact) => fact.stream_name),
    ]);
    expect(rows[0].count).toBeLessThan(bodies.length);
  });

  it('loads no session for a delivery, even one that comes with a session cookie', async () => {
    const session = await SessionClient.signIn(ledger.url, TEST_ADMIN.email, TEST_ADMIN.password);
    const withCookie = (path: string, init: RequestInit) => fetch(`${ledger.url}${path}`, { ...init, headers: { ...init.headers, cookie: session.cookie } });
    const body = uniquePing('cookie');

    const delivery = await withCookie('/webhooks/calcom', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-cal-signature-256': signCalcomWebhook(body, SECRET) },
      body,
    });
    // The admin path below the delivery endpoint still knows the signed-in person (404 for an unknown fact, not 401).
    const retry = await withCookie(`/webhooks/calcom/facts/${crypto.randomUUID()}/retry`, { method: 'POST', headers: { 'x-csrf-token': session.csrfToken } });

    expect(delivery.status).toBe(200);
    // The session's rolling expiry is refreshed (Set-Cookie) on every request that loads it: never on a delivery.
    expect(delivery.headers.getSetCookie()).toEqual([]);
    expect(retry.status).toBe(404);
    expect(retry.headers.getSetCookie()).toEqual([expect.stringMatching(/^ledger_session=/)]);
  });
});

describe('malformed bodies', () => {
  it.each([
    ['unparseable JSON', '{"triggerEvent":', 'application/json'],
    ['no trigger (a payload template without one)', example('payload-template.help-docs.json'), 'application/json'],
    ['a form body without a trigger', 'uid=abc&startTime=2030-01-01T10:00:00Z', 'application/x-www-form-urlencoded'],
  ])('%s: 400 MALFORMED_WEBHOOK, nothing stored', async (_name, body, contentType) => {
    const response = await calcom.post(body, { contentType });
    expect(response.status).toBe(400);
    expect(response.body.error.code).toBe('MALFORMED_WEBHOOK');
    expect((await storedFacts()).filter((fact) => fact.body === body)).toEqual([]);
  });

  it('refuses a body over 1 MiB with 413, nothing stored', async () => {
    const body = JSON.stringify({ triggerEvent: 'PING', payload: { padding: 'x'.repeat(1024 * 1024) } });
    const response = await calcom.post(body);
    expect(response.status).toBe(413);
    expect(response.body.error.code).toBe('PAYLOAD_TOO_LARGE');
    expect((await storedFacts()).filter((fact) => fact.body === body)).toEqual([]);
  });
});

describe('every body shape Cal.com sends', () => {
  const files = readdirSync(examplesDir).filter((file) => file !== 'payload-template.help-docs.json');

  it.each(files)('%s is accepted and gets an outcome', async (file) => {
    const body = example(file);
    const response = await calcom.post(body);
    expect(response.status).toBe(200);
    const fact = await eventually(async () => {
      const { body: list } = await auditor.get('/webhooks/calcom/facts?limit=500');
      const found = list.items.find((item: { factStream: string }) => item.factStream === response.body.factStream);
      expect(found?.outcome).toEqual(expect.any(String));
      return found;
    }, 10_000);
    expect(fact.triggerEvent).toBe(JSON.parse(body).triggerEvent);
  });

  it('accepts a form-encoded template body and reads it', async () => {
    const body = new URLSearchParams({ triggerEvent: 'BOOKING_CANCELLED', 'payload.uid': 'form-uid-1', 'payload.cancellationReason': 'Rain' }).toString();
    const response = await calcom.post(body, { contentType: 'application/x-www-form-urlencoded' });
    expect(response.status).toBe(200);
    const fact = await eventually(async () => {
      const { body: list } = await auditor.get('/webhooks/calcom/facts?outcome=orphan');
      const found = list.items.find((item: { factStream: string }) => item.factStream === response.body.factStream);
      expect(found).toBeTruthy();
      return found;
    }, 10_000);
    expect(fact).toMatchObject({ triggerEvent: 'BOOKING_CANCELLED', bookingUid: 'form-uid-1', outcome: 'orphan' });
  });

  it('lists and notifies a booking whose host is not in the catalog, never dropping it', async () => {
    const response = await calcom.post(example('booking-created.dev-docs.json'));
    const notification = await eventually(async () => {
      const { body } = await auditor.get('/notifications?kind=unmapped_webhook');
      const found = body.items.find((item: { details: { factStream: string } }) => item.details.factStream === response.body.factStream);
      expect(found).toBeTruthy();
      return found;
    }, 10_000);
    expect(notification.message).toContain('Host 5');
    const { body: unmapped } = await auditor.get('/webhooks/calcom/facts?outcome=unmapped');
    expect(unmapped.items.map((item: { factStream: string }) => item.factStream)).toContain(response.body.factStream);
  });
});

describe('metrics', () => {
  it('GET /metrics counts webhook facts by outcome and open conflicts', async () => {
    const text = await eventually(async () => {
      const response = await fetch(`${ledger.url}/metrics`);
      const body = await response.text();
      expect(body).toMatch(/^ledger_calcom_webhook_facts\{outcome="unmapped"\} [1-9]\d*$/m);
      return body;
    });
    expect(text).toMatch(/^ledger_calcom_webhook_facts\{outcome="orphan"\} [1-9]\d*$/m);
    expect(text).toMatch(/^ledger_calcom_conflicts_open 0$/m);
  });
});
