import { createHash } from 'node:crypto';
import pg from 'pg';
import { calcomWebhookStream } from '#domain';
import { signCalcomWebhook } from '#calcom';
import type { RunningLedger } from '../../apps/ledger/src/ledger.js';
import { CalcomWebhookPoster } from '../support/calcom-webhook-poster.js';
import { eventually } from '../support/eventually.js';
import { startTestLedger } from '../support/ledger-for-tests.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

/**
 * The intake's queue is bounded: while the store is held up, deliveries beyond WEBHOOK_INTAKE_QUEUE_LIMIT are refused
 * at once with 503 WEBHOOK_INTAKE_BUSY and Retry-After (never held until the sender gives up), and every delivery
 * that was taken is stored once the store moves again.
 */
const SECRET = 'whsec_busy_test';
let database: TestDatabase;
let ledger: RunningLedger;
let blocker: pg.Client;
let calcom: CalcomWebhookPoster;

beforeAll(async () => {
  database = await createTestDatabase('webhooks_busy');
  ledger = await startTestLedger(database.url, { calcomWebhookSecret: SECRET, webhookIntake: { maxBatch: 10, maxQueued: 2, maxInFlight: 1 } });
  blocker = new pg.Client(database.url);
  await blocker.connect();
  calcom = new CalcomWebhookPoster(`${ledger.url}/webhooks/calcom`, SECRET);
});

afterAll(async () => {
  await blocker?.end();
  await ledger?.close();
  await database?.drop();
});

const ping = (note: string) => JSON.stringify({ triggerEvent: 'PING', createdAt: new Date().toISOString(), payload: { note } });
const factStreamOf = (body: string) => calcomWebhookStream(createHash('sha256').update(body).digest('hex'));

it('refuses deliveries beyond the queue with 503 and Retry-After, and stores every one it took', async () => {
  const first = ping('held up');
  // Another transaction holds the first delivery's stream row: the intake's one transaction waits for it.
  await blocker.query('BEGIN');
  await blocker.query('INSERT INTO streams (stream_name, revision, last_transaction_id) VALUES ($1, -1, pg_current_xact_id())', [factStreamOf(first)]);
  const held = calcom.post(first);
  await eventually(async () => expect((await blocker.query('SELECT count(*)::int AS count FROM pg_locks WHERE NOT granted')).rows[0].count).toBeGreaterThan(0), 10_000, 20);
  // Two of these wait in the queue (its limit), the other six are refused at once.
  const later = Array.from({ length: 8 }, (_, index) => ping(`later ${index}`));
  const settled: Response[] = [];
  const laterAnswers = later.map((body) =>
    fetch(`${ledger.url}/webhooks/calcom`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-cal-signature-256': signCalcomWebhook(body, SECRET) }, body }).then(
      (response) => (settled.push(response), response),
    ),
  );
  await eventually(() => expect(settled.length).toBe(6), 10_000, 20);
  const refusals = await Promise.all(settled.map(async (response) => ({ status: response.status, retryAfter: response.headers.get('retry-after'), body: await response.json() })));
  await blocker.query('ROLLBACK');

  expect(refusals).toEqual(
    Array(6).fill({
      status: 503,
      retryAfter: expect.stringMatching(/^\d+$/),
      body: { error: { code: 'WEBHOOK_INTAKE_BUSY', message: expect.any(String), details: { retryAfterSeconds: expect.any(Number) } } },
    }),
  );
  const taken = [await held, ...(await Promise.all(laterAnswers)).filter((response) => response.status !== 503)];
  expect(taken.map((answer) => answer.status)).toEqual([200, 200, 200]);
  const { rows } = await blocker.query("SELECT count(*)::int AS count FROM events WHERE type = 'CalcomWebhookReceived' AND data->>'body' = ANY($1)", [[first, ...later]]);
  expect(rows[0].count).toBe(3);
});
