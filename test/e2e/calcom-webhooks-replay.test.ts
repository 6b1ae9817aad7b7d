import pg from 'pg';
import { WEBHOOK_FACTS_SUBSCRIPTION } from '../../apps/ledger/src/calcom-webhooks/webhook-facts.subscription.js';
import { appointmentWhen, factFor, startLedgerWithSandbox } from '../support/calcom-ledger.js';
import { slot } from '../support/calcom-sandbox-customer.js';
import { CalcomWebhookPoster } from '../support/calcom-webhook-poster.js';
import { eventually } from '../support/eventually.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

const SECRET = 'whsec_replay_test';
let database: TestDatabase;
let db: pg.Client;

beforeAll(async () => {
  database = await createTestDatabase('replay');
  db = new pg.Client(database.url);
  await db.connect();
});

afterAll(async () => {
  await db?.end();
  await database?.drop();
});

async function eventCounts(): Promise<Record<string, number>> {
  const { rows } = await db.query<{ type: string; count: string }>('SELECT type, count(*) AS count FROM events GROUP BY type ORDER BY type');
  return Object.fromEntries(rows.map((row) => [row.type, Number(row.count)]));
}

it('applying every fact again from the start (a lost checkpoint, a crash before an outcome was written) writes nothing twice', async () => {
  const first = await startLedgerWithSandbox(database.url, { calcomWebhookSecret: SECRET });
  const ann = { name: 'Ann Lee', email: 'ann@example.com', timeZone: 'Europe/Berlin' };
  const kept = await first.customer.book(101, slot(1), ann);
  const moved = await first.customer.reschedule(kept.uid, slot(2));
  await first.customer.faults({ webhookReorder: true });
  const dropped = await first.customer.book(102, slot(4), ann);
  await first.customer.cancel(dropped.uid);
  const { appointmentId } = await factFor(first.admin, kept.uid, 'BOOKING_CREATED', 'applied');
  await factFor(first.admin, moved.uid, 'BOOKING_RESCHEDULED', 'applied');
  await factFor(first.admin, dropped.uid, 'BOOKING_CANCELLED', 'applied');
  await appointmentWhen(first.admin, appointmentId!, (found) => expect(found.calcom.syncStatus).toBe('synced'));
  const interrupted = await factFor(first.admin, kept.uid, 'BOOKING_CREATED');
  await first.ledger.close();

  const before = await eventCounts();
  // A crash after the fact's events, before its outcome: the outcome was never written.
  await db.query("DELETE FROM events WHERE stream_name = $1 AND type = 'CalcomWebhookApplied'", [interrupted.factStream]);
  await db.query('UPDATE streams SET revision = 0 WHERE stream_name = $1', [interrupted.factStream]);
  await db.query('DELETE FROM projection_checkpoints WHERE name = $1', [WEBHOOK_FACTS_SUBSCRIPTION]);
  const second = await startLedgerWithSandbox(database.url, { calcomWebhookSecret: SECRET });
  try {
    // The translator goes over the facts in order: once a new one has its outcome, every earlier one was seen again.
    const marker = await new CalcomWebhookPoster(`${second.ledger.url}/webhooks/calcom`, SECRET).post({ triggerEvent: 'PING', createdAt: new Date().toISOString(), payload: {} });
    expect(marker.status).toBe(200);
    await eventually(async () => {
      const { rows } = await db.query("SELECT 1 FROM events WHERE stream_name = $1 AND type = 'CalcomWebhookApplied'", [marker.body.factStream]);
      expect(rows).toHaveLength(1);
    }, 20_000);
    expect(await eventCounts()).toEqual({ ...before, CalcomWebhookReceived: before.CalcomWebhookReceived + 1, CalcomWebhookApplied: before.CalcomWebhookApplied + 1 });
    const { rows } = await db.query("SELECT data->>'outcome' AS outcome FROM events WHERE stream_name = $1 AND type = 'CalcomWebhookApplied'", [interrupted.factStream]);
    expect(rows).toEqual([{ outcome: 'applied' }]);
  } finally {
    await second.ledger.close();
  }
});
