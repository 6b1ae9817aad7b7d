import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import pg from 'pg';
import { startSandbox, type RunningSandbox } from '#calcom-sandbox';
import { CALCOM_SYNC_SUBSCRIPTION } from '../../apps/ledger/src/calcom-sync/calcom-sync.process-manager.js';
import { WEBHOOK_FACTS_SUBSCRIPTION } from '../../apps/ledger/src/calcom-webhooks/webhook-facts.subscription.js';
import type { RunningLedger } from '../../apps/ledger/src/ledger.js';
import { NOTIFICATION_SENDER } from '../../apps/ledger/src/notifications/notification-sender.js';
import { appointmentWhen, calcomSettingsForTests } from '../support/calcom-ledger.js';
import { sandboxCustomer, slot } from '../support/calcom-sandbox-customer.js';
import { CalcomWebhookPoster } from '../support/calcom-webhook-poster.js';
import { eventually } from '../support/eventually.js';
import { LedgerClient } from '../support/ledger-client.js';
import { ADMIN_TOKEN, startTestLedger } from '../support/ledger-for-tests.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

/**
 * The background workers save their checkpoints lazily where nothing depends on them (DeferredCheckpoints). A crash
 * leaves them older than what the workers did; the next start goes over those events again and must do nothing twice.
 */
const SECRET = 'whsec_worker_checkpoints';
const unmappedBooking = readFileSync(join(process.cwd(), 'apps/calcom-sandbox/reference/webhook-examples/booking-created.dev-docs.json'), 'utf8');
const WORKERS = [CALCOM_SYNC_SUBSCRIPTION, WEBHOOK_FACTS_SUBSCRIPTION, NOTIFICATION_SENDER];

let database: TestDatabase;
let db: pg.Client;
let sandbox: RunningSandbox;
let receiver: Server;
let notifyUrl: string;
const received: { notificationId: string }[] = [];

beforeAll(async () => {
  database = await createTestDatabase('worker_checkpoints');
  db = new pg.Client(database.url);
  await db.connect();
  sandbox = await startSandbox({ port: 0, webhookSecret: SECRET });
  receiver = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk) => (body += chunk));
    request.on('end', () => {
      received.push(JSON.parse(body));
      response.writeHead(200).end();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  notifyUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/notify`;
});

afterAll(async () => {
  await db?.end();
  await sandbox?.close();
  await new Promise((resolve) => receiver?.close(resolve));
  await database?.drop();
});

async function startLedger(): Promise<{ ledger: RunningLedger; admin: LedgerClient }> {
  const ledger = await startTestLedger(database.url, { calcom: calcomSettingsForTests(sandbox.url, sandbox.apiKey), calcomWebhookSecret: SECRET, notifyWebhookUrl: notifyUrl });
  sandbox.setWebhookUrl(`${ledger.url}/webhooks/calcom`);
  return { ledger, admin: new LedgerClient(ledger.url, ADMIN_TOKEN) };
}

async function checkpoints(): Promise<Record<string, string>> {
  const { rows } = await db.query<{ name: string; position: string }>('SELECT name, position FROM projection_checkpoints WHERE name = ANY($1)', [WORKERS]);
  return Object.fromEntries(rows.map((row) => [row.name, row.position]));
}

async function eventCounts(): Promise<Record<string, number>> {
  const { rows } = await db.query<{ type: string; count: string }>('SELECT type, count(*) AS count FROM events GROUP BY type');
  return Object.fromEntries(rows.map((row) => [row.type, Number(row.count)]));
}

async function notificationDelivered(ledgerUrl: string): Promise<string> {
  // A delivery of its own each time (a body seen before is the same fact).
  const body = JSON.stringify({ ...JSON.parse(unmappedBooking), createdAt: new Date().toISOString() });
  const posted = await new CalcomWebhookPoster(`${ledgerUrl}/webhooks/calcom`, SECRET).post(body);
  expect(posted.status).toBe(200);
  const admin = new LedgerClient(ledgerUrl, ADMIN_TOKEN);
  const notificationId = await eventually(async () => {
    const { body } = await admin.get('/notifications');
    const found = body.items.find((item: { details: { factStream?: string } }) => item.details.factStream === posted.body.factStream);
    expect(found).toBeTruthy();
    return found.notificationId as string;
  });
  await eventually(() => expect(received.map((notification) => notification.notificationId)).toContain(notificationId), 15_000);
  return notificationId;
}

it('commits with nothing for a worker write no checkpoint of its own; after a crash with the checkpoints then left, nothing is called, written or sent twice', async () => {
  const first = await startLedger();
  const customer = sandboxCustomer(sandbox.url);
  await first.admin.put('/staff/olivia', { name: 'Olivia', email: 'olivia@sandbox.example', calcomUserId: 1 });
  await first.admin.put('/services/consultation', { name: 'Consultation', durationMinutes: 30, calcomEventTypeIds: { olivia: 101 } });
  const firstNotification = await notificationDelivered(first.ledger.url);
  // The sender saves its position once the delivery has returned, a moment after the receiver saw it.
  await eventually(async () => expect((await checkpoints())[NOTIFICATION_SENDER]).toBeDefined());
  const afterNotification = await checkpoints();

  // Commits the notifier has nothing to do with: bookings made, moved and synced, their webhooks taken in.
  const ids: string[] = [];
  for (const index of [1, 2, 3]) {
    const created = await first.admin.post('/appointments', {
      serviceId: 'consultation',
      staffId: 'olivia',
      startsAt: slot(index),
      customer: { name: 'Ann Lee', email: `ann${index}@example.com`, timeZone: 'Europe/Berlin' },
    });
    expect(created.status).toBe(201);
    ids.push(created.body.appointmentId);
  }
  const moved = await first.admin.post(`/appointments/${ids[0]}/reschedule`, { startsAt: slot(5) });
  expect(moved.status).toBe(200);
  for (const id of ids) await appointmentWhen(first.admin, id, (found) => expect(found.calcom.syncStatus).toBe('synced'), 15_000);
  await eventually(async () => {
    const { rows } = await db.query('SELECT count(*)::int AS pending FROM calcom_webhook_facts WHERE outcome IS NULL');
    expect(rows[0].pending).toBe(0);
  });
  const atCrash = await checkpoints();
  expect(atCrash[NOTIFICATION_SENDER]).toBe(afterNotification[NOTIFICATION_SENDER]);

  const mutationsBefore = (await customer.state()).mutations.length;
  const eventsBefore = await eventCounts();
  await first.ledger.close();
  // A crash writes nothing on the way out: the checkpoints stay where they were; the sync's goes back to the start.
  for (const name of [WEBHOOK_FACTS_SUBSCRIPTION, NOTIFICATION_SENDER]) {
    await db.query('UPDATE projection_checkpoints SET position = $2 WHERE name = $1', [name, atCrash[name]]);
  }
  await db.query('DELETE FROM projection_checkpoints WHERE name = $1', [CALCOM_SYNC_SUBSCRIPTION]);

  const second = await startLedger();
  try {
    const marker = await notificationDelivered(second.ledger.url);
    for (const id of ids) await appointmentWhen(second.admin, id, (found) => expect(found.calcom.syncStatus).toBe('synced'));
    await eventually(() => expect(second.ledger.calcomSync?.processManager?.workload).toEqual({ ready: 0, running: 0, waiting: 0 }));

    expect((await customer.state()).mutations).toHaveLength(mutationsBefore);
    const eventsAfter = await eventCounts();
    expect(eventsAfter).toEqual({
      ...eventsBefore,
      CalcomWebhookReceived: eventsBefore.CalcomWebhookReceived + 1,
      CalcomWebhookApplied: eventsBefore.CalcomWebhookApplied + 1,
    });
    const sent = received.map((notification) => notification.notificationId);
    expect(sent.filter((id) => id === firstNotification)).toHaveLength(1);
    expect(sent.filter((id) => id === marker)).toHaveLength(1);
    expect(new Set(sent).size).toBe(sent.length);
  } finally {
    await second.ledger.close();
  }
});
