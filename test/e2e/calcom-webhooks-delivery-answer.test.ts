import type { RunningLedger } from '../../apps/ledger/src/ledger.js';
import { signCalcomWebhook } from '#calcom';
import { startTestLedger } from '../support/ledger-for-tests.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

/**
 * Deliveries are answered ahead of Nest's pipeline (webhook-delivery.handler.ts): what that pipeline gave them is
 * still there — the correlation id echoed back, the request metric, refusals in the error shape.
 */
const SECRET = 'whsec_delivery_answer_test';
let database: TestDatabase;
let ledger: RunningLedger;

beforeAll(async () => {
  database = await createTestDatabase('webhook_delivery_answer');
  ledger = await startTestLedger(database.url, { calcomWebhookSecret: SECRET });
});

afterAll(async () => {
  await ledger?.close();
  await database?.drop();
});

const deliver = (body: string, signature: string, correlationId: string) =>
  fetch(`${ledger.url}/webhooks/calcom`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-cal-signature-256': signature, 'x-correlation-id': correlationId },
    body,
  });

it('answers a stored delivery as JSON with its correlation id, and counts it under the webhook route', async () => {
  const body = JSON.stringify({ triggerEvent: 'PING', createdAt: new Date().toISOString(), payload: { note: 'answered' } });
  const response = await deliver(body, signCalcomWebhook(body, SECRET), 'delivery-answer-1');
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toBe('application/json; charset=utf-8');
  expect(response.headers.get('x-correlation-id')).toBe('delivery-answer-1');
  expect(await response.json()).toEqual({ received: true, duplicate: false, factStream: expect.any(String), factId: expect.any(String) });
  const metrics = await (await fetch(`${ledger.url}/metrics`)).text();
  expect(metrics).toMatch(/ledger_http_request_duration_seconds_count\{[^}]*method="POST"[^}]*route="\/webhooks\/calcom"[^}]*status="200"[^}]*\} [1-9]/);
});

it('refuses a bad signature in the error shape, with its correlation id, counted as a 401', async () => {
  const body = JSON.stringify({ triggerEvent: 'PING', createdAt: new Date().toISOString(), payload: { note: 'refused' } });
  const response = await deliver(body, 'a'.repeat(64), 'delivery-answer-2');
  expect(response.status).toBe(401);
  expect(response.headers.get('x-correlation-id')).toBe('delivery-answer-2');
  expect(await response.json()).toEqual({ error: { code: 'INVALID_SIGNATURE', message: expect.any(String), details: {} } });
  const metrics = await (await fetch(`${ledger.url}/metrics`)).text();
  expect(metrics).toMatch(/ledger_http_request_duration_seconds_count\{[^}]*method="POST"[^}]*route="\/webhooks\/calcom"[^}]*status="401"[^}]*\} [1-9]/);
});
