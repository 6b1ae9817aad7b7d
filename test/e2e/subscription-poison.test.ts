import { randomUUID } from 'node:crypto';
import type { RunningLedger } from '../../apps/ledger/src/ledger.js';
import { openEventStore, type OpenedEventStore } from '#event-store';
import { eventually } from '../support/eventually.js';
import { LedgerClient } from '../support/ledger-client.js';
import { ADMIN_TOKEN, startTestLedger } from '../support/ledger-for-tests.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';
import { customer, inDays } from '../support/appointment-fixtures.js';

const BEYOND_INTEGER = 2 ** 31;

let database: TestDatabase;
let ledger: RunningLedger;
let admin: LedgerClient;

beforeEach(async () => {
  database = await createTestDatabase('poison');
  ledger = await startTestLedger(database.url);
  admin = new LedgerClient(ledger.url, ADMIN_TOKEN);
});
afterEach(async () => {
  await ledger?.close();
  await database?.drop();
});

test('Cal.com ids of 2^31 and Number.MAX_SAFE_INTEGER are saved, listed, booked with, and the ledger stays healthy', async () => {
  expect((await admin.put('/staff/big', { name: 'Big', email: 'big@salon.example', calcomUserId: BEYOND_INTEGER })).status).toBe(200);
  expect((await admin.put('/staff/max', { name: 'Max', email: 'max@salon.example', calcomUserId: Number.MAX_SAFE_INTEGER })).status).toBe(200);
  const service = await admin.put('/services/cut', { name: 'Haircut', durationMinutes: 30, calcomEventTypeIds: { big: BEYOND_INTEGER, max: Number.MAX_SAFE_INTEGER } });
  expect(service.status).toBe(200);
  const started = Date.now();
  const booked = await admin.post('/appointments', { serviceId: 'cut', staffId: 'big', startsAt: inDays(3), customer });
  expect(booked.status).toBe(201);
  expect(Date.now() - started).toBeLessThan(2_500);
  expect((await admin.post('/appointments', { serviceId: 'cut', staffId: 'max', startsAt: inDays(3), customer })).status).toBe(201);

  const staff = await admin.get('/staff');
  expect(staff.body.items.map(({ staffId, calcomUserId }: { staffId: string; calcomUserId: number }) => ({ staffId, calcomUserId }))).toEqual([
    { staffId: 'big', calcomUserId: BEYOND_INTEGER },
    { staffId: 'max', calcomUserId: Number.MAX_SAFE_INTEGER },
  ]);
  expect((await admin.get('/services')).body.items[0].calcomEventTypeIds).toEqual({ big: BEYOND_INTEGER, max: Number.MAX_SAFE_INTEGER });
  const list = await admin.get('/appointments?staffId=big');
  expect(list.body.items.map((item: { appointmentId: string }) => item.appointmentId)).toEqual([booked.body.appointmentId]);
  const health = await admin.get('/health');
  expect(health.status).toBe(200);
  expect(health.body).toMatchObject({ status: 'ok', checks: { eventStore: 'up', projector: 'up' }, subscriptions: [] });
  // One past the domain's range is the client's mistake, not a poison event.
  expect((await admin.put('/staff/over', { name: 'Over', email: 'o@salon.example', calcomUserId: Number.MAX_SAFE_INTEGER + 1 })).status).toBe(400);
});

describe('an event the projector cannot apply, stored directly in the event store', () => {
  let events: OpenedEventStore;
  beforeEach(async () => {
    events = await openEventStore({ postgresUrl: database.url });
  });
  afterEach(() => events?.close());

  /** What an older version or a hand edit could have left: an appointment whose start is no date. */
  function appendPoison(appointmentId: string) {
    const data = { appointmentId, serviceId: 'cut', staffId: 'sam', startsAt: 'soon', endsAt: { hour: 10 }, customer, notes: null };
    const metadata = { actor: 'admin:hand-edit', source: 'admin' as const, correlationId: randomUUID(), causationId: null };
    return events.store.appendToStream(`appointment-${appointmentId}`, [{ id: randomUUID(), type: 'AppointmentScheduled', data, metadata }]);
  }

  test('is named while retried, then parked and reported (health 503, metric, notification) while everything after it goes on', async () => {
    expect((await admin.put('/staff/sam', { name: 'Sam', email: 'sam@salon.example', calcomUserId: BEYOND_INTEGER })).status).toBe(200);
    expect((await admin.put('/services/cut', { name: 'Haircut', durationMinutes: 30, calcomEventTypeIds: { sam: 1001 } })).status).toBe(200);
    const poison = await appendPoison('poison');

    // While it is retried: named, with its position and the error.
    const stalled = await eventually(
      async () => {
        const health = await admin.get('/health');
        expect(health.status).toBe(503);
        expect(health.body.subscriptions).toEqual([expect.objectContaining({ name: 'read-models', status: 'stalled' })]);
        expect(health.body.subscriptions[0].failure.event).toMatchObject({ position: poison.position, streamName: 'appointment-poison', eventType: 'AppointmentScheduled' });
        // Read a moment before the incident table, so the two may disagree for the length of a retry.
        expect(health.body.checks.projector).toBe('down');
        return health.body;
      },
      20_000,
      5,
    );
    expect(stalled.subscriptions[0].failure).toMatchObject({ phase: 'handle', error: expect.any(String), attempts: expect.any(Number) });

    // Then parked: the projector moves on, and says what it left behind.
    const parked = await eventually(async () => {
      const health = await admin.get('/health');
      expect(health.body.subscriptions[0]?.status).toBe('parked');
      return health;
    }, 20_000);
    expect(parked.status).toBe(503);
    expect(parked.body).toMatchObject({ status: 'degraded', checks: { eventStore: 'up', projector: 'up' } });
    expect(parked.body.subscriptions).toEqual([
      {
        name: 'read-models',
        status: 'parked',
        failure: null,
        parkedEvents: 1,
        parked: [
          expect.objectContaining({
            position: poison.position,
            streamName: 'appointment-poison',
            eventType: 'AppointmentScheduled',
            revision: 0,
            error: expect.any(String),
            attempts: 6,
          }),
        ],
      },
    ]);
    expect(parked.body.projectorPosition).not.toBe('start');

    const started = Date.now();
    const booked = await admin.post('/appointments', { serviceId: 'cut', staffId: 'sam', startsAt: inDays(4), customer });
    expect(booked.status).toBe(201);
    expect(Date.now() - started).toBeLessThan(2_500);
    const list = await admin.get('/appointments');
    expect(list.body.items.map((item: { appointmentId: string }) => item.appointmentId)).toEqual([booked.body.appointmentId]);

    const metrics = await admin.get('/metrics');
    expect(metrics.body).toContain('ledger_subscription_parked_events{subscription="read-models"} 1');
    expect(metrics.body).not.toMatch(/ledger_subscription_consecutive_failures\{subscription="read-models"\}/);
    const notifications = await admin.get('/notifications?kind=subscription_parked');
    expect(notifications.status).toBe(200);
    expect(notifications.body.items).toEqual([
      expect.objectContaining({
        kind: 'subscription_parked',
        message: expect.stringContaining('appointment-poison'),
        details: expect.objectContaining({ subscription: 'read-models', position: poison.position, eventType: 'AppointmentScheduled' }),
      }),
    ]);
  });
});
