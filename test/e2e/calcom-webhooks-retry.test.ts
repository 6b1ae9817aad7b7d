import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { appointmentWhen, factFor, startLedgerWithSandbox, type LedgerWithSandbox } from '../support/calcom-ledger.js';
import { slot } from '../support/calcom-sandbox-customer.js';
import { eventually } from '../support/eventually.js';
import { AUDITOR_TOKEN } from '../support/ledger-for-tests.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

/**
 * A fact that cannot be applied holds only its own booking's lane: it is recorded `failed`, the later facts of that
 * booking `waiting` behind it, every other booking goes on; after a restart the lane is still held, and an admin's
 * retry (once the cause is gone) applies the failed fact and then the waiting ones, in order.
 *
 * The cause here is honest and outside the ledger: PostgreSQL refuses writes to one appointment's stream (a trigger,
 * standing for any refusal a person has to fix: a full disk, a constraint, a revoked grant). Dropping it is the fix.
 */
const SECRET = 'whsec_retry_test';

let database: TestDatabase;
let db: pg.Client;
let running: LedgerWithSandbox;

beforeAll(async () => {
  database = await createTestDatabase('factretry');
  db = new pg.Client(database.url);
  await db.connect();
  running = await startLedgerWithSandbox(database.url, { calcomWebhookSecret: SECRET });
});

afterAll(async () => {
  await running?.ledger.close();
  await db?.end();
  await database?.drop();
});

async function refuseWritesTo(streamName: string): Promise<void> {
  await db.query(`CREATE FUNCTION refuse_stream() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF NEW.stream_name = '${streamName}' THEN RAISE EXCEPTION 'stream % is closed for maintenance', NEW.stream_name; END IF;
      RETURN NEW;
    END $$`);
  await db.query('CREATE TRIGGER refuse_stream BEFORE INSERT ON events FOR EACH ROW EXECUTE FUNCTION refuse_stream()');
}

async function allowWritesAgain(): Promise<void> {
  await db.query('DROP TRIGGER refuse_stream ON events');
  await db.query('DROP FUNCTION refuse_stream()');
}

async function fact(factStream: string) {
  const { body } = await running.admin.get('/webhooks/calcom/facts?limit=500');
  return body.items.find((item: { factStream: string }) => item.factStream === factStream);
}

it('a failed fact holds only its booking; the lane survives a restart; a retry after the fix applies it and the facts behind it, in order', async () => {
  const ann = { name: 'Ann Lee', email: 'ann@example.com', timeZone: 'Europe/Berlin' };
  const booking = await running.customer.book(101, slot(1), ann);
  const { appointmentId } = await factFor(running.admin, booking.uid, 'BOOKING_CREATED', 'applied', 20_000);
  await appointmentWhen(running.admin, appointmentId!, (found) => expect(found.calcom.syncStatus).toBe('synced'), 20_000);
  await refuseWritesTo(`appointment-${appointmentId}`);

  // The customer moves the booking (the ledger cannot write it), then cancels the new one: same lane.
  const moved = await running.customer.reschedule(booking.uid, slot(2));
  const failed = await factFor(running.admin, moved.uid, 'BOOKING_RESCHEDULED', 'failed', 30_000);
  expect(failed).toMatchObject({ appointmentId, reason: expect.stringMatching(/^Not applied after 4 attempts: .*closed for maintenance/) });
  await running.customer.cancel(moved.uid, 'Cannot make it');
  const waiting = await factFor(running.admin, moved.uid, 'BOOKING_CANCELLED', 'waiting', 20_000);
  expect(waiting).toMatchObject({ waitsFor: failed.factStream, reason: expect.stringContaining(failed.factStream) });

  // Another booking is applied meanwhile: the translator's checkpoint is not held.
  const other = await running.customer.book(101, slot(5), { name: 'Bo Other', email: 'bo@example.com', timeZone: 'UTC' });
  await factFor(running.admin, other.uid, 'BOOKING_CREATED', 'applied', 20_000);
  expect((await fetch(`${running.ledger.url}/health`)).status).toBe(200);

  // Visible where a person looks: the failed list, a notification, the appointment's history.
  const { body: failedList } = await running.admin.get('/webhooks/calcom/facts?outcome=failed');
  expect(failedList.items.map((item: { factStream: string }) => item.factStream)).toEqual([failed.factStream]);
  const notification = await eventually(async () => {
    const { body } = await running.admin.get('/notifications?kind=webhook_failed');
    expect(body.items).toHaveLength(1);
    return body.items[0];
  });
  expect(notification).toMatchObject({ appointmentId, details: { factStream: failed.factStream, triggerEvent: 'BOOKING_RESCHEDULED' } });
  const { body: history } = await running.admin.get(`/appointments/${appointmentId}/history`);
  expect(history.events).toContainEqual(
    expect.objectContaining({ streamName: failed.factStream, type: 'CalcomWebhookApplied', data: expect.objectContaining({ outcome: 'failed' }) }),
  );

  // Who may retry what.
  expect((await running.admin.as(AUDITOR_TOKEN).post(`/webhooks/calcom/facts/${failed.factId}/retry`)).status).toBe(403);
  const unknown = await running.admin.post(`/webhooks/calcom/facts/${randomUUID()}/retry`);
  expect(unknown.status).toBe(404);
  expect(unknown.body.error.code).toBe('NOT_FOUND');
  expect([400, 404]).toContain((await running.admin.post('/webhooks/calcom/facts/not%00an-id/retry')).status);
  const applied = await factFor(running.admin, other.uid, 'BOOKING_CREATED', 'applied');
  const notFailed = await running.admin.post(`/webhooks/calcom/facts/${applied.factId}/retry`);
  expect(notFailed.status).toBe(409);
  expect(notFailed.body.error).toMatchObject({ code: 'FACT_NOT_FAILED', details: { outcome: 'applied' } });
  expect((await running.admin.post(`/webhooks/calcom/facts/${waiting.factId}/retry`)).status).toBe(409);

  // A retry before the fix fails again, within its bounded attempts, and the lane stays held.
  const tooEarly = await running.admin.post(`/webhooks/calcom/facts/${failed.factId}/retry`);
  expect(tooEarly.status).toBe(202);
  expect(tooEarly.body).toEqual({ factId: failed.factId, factStream: failed.factStream, status: 'retry_requested' });
  expect((await running.admin.post(`/webhooks/calcom/facts/${failed.factId}/retry`)).body.error.code).toBe('FACT_NOT_FAILED');
  const firstFailure = (await fact(failed.factStream)).appliedAt;
  await eventually(async () => expect((await fact(failed.factStream)).appliedAt).not.toBe(firstFailure), 30_000);
  expect(await fact(failed.factStream)).toMatchObject({ outcome: 'failed' });
  expect(await fact(waiting.factStream)).toMatchObject({ outcome: 'waiting' });

  // The lane is durable: a restart keeps it, and a new fact of that booking still waits.
  await running.ledger.close();
  running = await startLedgerWithSandbox(database.url, { calcomWebhookSecret: SECRET });
  const laterFact = await running.customer.book(101, slot(6), ann);
  await factFor(running.admin, laterFact.uid, 'BOOKING_CREATED', 'applied', 20_000);
  expect(await fact(failed.factStream)).toMatchObject({ outcome: 'failed' });
  expect(await fact(waiting.factStream)).toMatchObject({ outcome: 'waiting' });

  // The fix, then the retry: the reschedule and then the cancel behind it are applied.
  await allowWritesAgain();
  expect((await running.admin.post(`/webhooks/calcom/facts/${failed.factId}/retry`)).status).toBe(202);
  await eventually(async () => expect(await fact(waiting.factStream)).toMatchObject({ outcome: 'applied', waitsFor: null }), 30_000);
  expect(await fact(failed.factStream)).toMatchObject({ outcome: 'applied', appointmentId });
  const appointment = await appointmentWhen(running.admin, appointmentId!, (found) => expect(found.status).toBe('cancelled'));
  expect(Date.parse(appointment.startsAt)).toBe(Date.parse(slot(2)));
  const { body: after } = await running.admin.get(`/appointments/${appointmentId}/history`);
  const types = after.events.filter((event: { streamName: string }) => event.streamName === `appointment-${appointmentId}`).map((event: { type: string }) => event.type);
  expect(types.slice(-2)).toEqual(['AppointmentRescheduled', 'AppointmentCancelled']);
  expect((await running.admin.get('/webhooks/calcom/facts?outcome=waiting')).body.items).toEqual([]);
});
