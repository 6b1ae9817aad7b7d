import { randomUUID } from 'node:crypto';
import pg from 'pg';
import type { RunningSandbox } from '#calcom-sandbox';
import { BACKGROUND_WORKERS_APPLICATION_NAME } from '../../apps/ledger/src/background-workers.leader.js';
import type { RunningLedger } from '../../apps/ledger/src/ledger.js';
import { calcomSettingsFor, LEDGER_SERVICES, LEDGER_STAFF, mutationsOf, SandboxLevers, startSyncTestSandbox, WEBHOOK_SECRET } from '../support/calcom-sync-harness.js';
import { eventually } from '../support/eventually.js';
import { LedgerClient } from '../support/ledger-client.js';
import { ADMIN_TOKEN, startTestLedger } from '../support/ledger-for-tests.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

/**
 * Two ledgers on one database: one runs the background workers (Cal.com sync, webhook translator, notification
 * sender, drift schedule), the other serves HTTP and stands by. Changes made through either reach Cal.com once.
 */
const RETRY_MS = 200;
let database: TestDatabase;
let sandbox: RunningSandbox;
let levers: SandboxLevers;
const ledgers: RunningLedger[] = [];
let day = 10;

const nextSlot = (): string => {
  const date = new Date();
  date.setUTCDate(date.getUTCDate() + day++);
  date.setUTCHours(10, 0, 0, 0);
  return date.toISOString();
};

const startInstance = async () => {
  const ledger = await startTestLedger(database.url, { calcom: calcomSettingsFor(sandbox), calcomWebhookSecret: WEBHOOK_SECRET, workerLeaseRetryMs: RETRY_MS } as never);
  ledgers.push(ledger);
  return ledger;
};

const clientOf = (ledger: RunningLedger) => new LedgerClient(ledger.url, ADMIN_TOKEN);
const workersOf = async (ledger: RunningLedger): Promise<string> => (await clientOf(ledger).get('/health')).body.workers;

/** Polls both instances until exactly one is leader; never accepts two leaders at once. */
async function leaderAndStandby(first: RunningLedger, second: RunningLedger) {
  return eventually(async () => {
    const roles = [await workersOf(first), await workersOf(second)];
    expect(roles).not.toEqual(['leader', 'leader']);
    expect([...roles].sort()).toEqual(['leader', 'standby']);
    return roles[0] === 'leader' ? { leader: first, standby: second } : { leader: second, standby: first };
  }, 10_000);
}

/** Schedules through `via`, then cancels; the two calls reach Cal.com once each, whoever runs the sync. */
async function scheduleAndCancelThrough(via: RunningLedger) {
  const admin = clientOf(via);
  const appointmentId = randomUUID();
  const customer = { name: 'Ada Lovelace', email: `ada-${appointmentId.slice(0, 8)}@example.com`, timeZone: 'Europe/London' };
  expect((await admin.post('/appointments', { appointmentId, serviceId: 'consult', staffId: 'olivia', startsAt: nextSlot(), customer })).status).toBe(201);
  const { bookingUid } = await synced(admin, appointmentId);
  expect((await admin.post(`/appointments/${appointmentId}/cancel`, { reason: 'Client is ill' })).status).toBe(200);
  await eventually(async () => {
    expect(mutationsOf(await levers.state(), appointmentId)).toEqual([
      { op: 'create', uid: bookingUid },
      { op: 'cancel', uid: bookingUid },
    ]);
  }, 10_000);
  await synced(admin, appointmentId);
  return { appointmentId, bookingUid };
}

function synced(admin: LedgerClient, appointmentId: string) {
  return eventually(async () => {
    const { body } = await admin.get(`/appointments/${appointmentId}`);
    expect(body.calcom).toMatchObject({ syncStatus: 'synced', lastError: null });
    return body.calcom as { bookingUid: string };
  }, 10_000);
}

beforeAll(async () => {
  database = await createTestDatabase('workers_leader');
  sandbox = await startSyncTestSandbox();
  levers = new SandboxLevers(sandbox);
  const first = await startInstance();
  const second = await startInstance();
  sandbox.setWebhookUrl(`${second.url}/webhooks/calcom`);
  const admin = clientOf(first);
  for (const { id, body } of LEDGER_STAFF) expect((await admin.put(`/staff/${id}`, body)).status).toBe(200);
  for (const { id, body } of LEDGER_SERVICES) expect((await admin.put(`/services/${id}`, body)).status).toBe(200);
});

afterAll(async () => {
  for (const ledger of ledgers) await ledger.close();
  await sandbox?.close();
  await database?.drop();
});

test('exactly one instance runs the background workers: the first to start', async () => {
  const [first, second] = ledgers;
  expect(await workersOf(first)).toBe('leader');
  expect(await workersOf(second)).toBe('standby');
  expect(first.calcomSync?.processManager).not.toBeNull();
  expect(second.calcomSync?.processManager).toBeNull();
});

test('a change made through the standby reaches Cal.com exactly once', async () => {
  const { standby } = await leaderAndStandby(ledgers[0], ledgers[1]);
  await scheduleAndCancelThrough(standby);
});

test('a retry requested through the standby is picked up by the leader’s subscription', async () => {
  const { standby } = await leaderAndStandby(ledgers[0], ledgers[1]);
  const admin = clientOf(standby);
  const appointmentId = randomUUID();
  const customer = { name: 'Bo', email: `bo-${appointmentId.slice(0, 8)}@example.com`, timeZone: 'UTC' };
  expect((await admin.post('/appointments', { appointmentId, serviceId: 'assessment', staffId: 'hugo', startsAt: nextSlot(), customer })).status).toBe(201);
  await eventually(async () => {
    const { body } = await admin.get(`/appointments/${appointmentId}`);
    expect(body.calcom).toMatchObject({ syncStatus: 'failed', lastError: { code: 'CALCOM_EVENT_TYPE_MISSING', permanent: true } });
  }, 10_000);
  await admin.put('/services/assessment', { name: 'Assessment', durationMinutes: 60, calcomEventTypeIds: { olivia: 102, hugo: 201 } });
  // The standby has no sync to wake: it only appends the request, which the leader's subscription sees.
  expect((await admin.post(`/appointments/${appointmentId}/sync`)).status).toBe(202);
  const { bookingUid } = await synced(admin, appointmentId);
  expect(mutationsOf(await levers.state(), appointmentId)).toEqual([{ op: 'create', uid: bookingUid }]);
  await admin.put('/services/assessment', { name: 'Assessment', durationMinutes: 60, calcomEventTypeIds: { olivia: 102 } });
});

test('a leader whose lock connection is cut stops its workers; one instance leads again and changes still sync once', async () => {
  const { leader } = await leaderAndStandby(ledgers[0], ledgers[1]);
  const workersBefore = leader.calcomSync?.processManager;
  expect(workersBefore).toBeTruthy();
  const admin = new pg.Client(database.url);
  await admin.connect();
  try {
    const { rowCount } = await admin.query(
      `SELECT pg_terminate_backend(a.pid) FROM pg_stat_activity a JOIN pg_locks l ON l.pid = a.pid
        WHERE a.datname = current_database() AND a.application_name = $1 AND l.locktype = 'advisory' AND l.granted`,
      [BACKGROUND_WORKERS_APPLICATION_NAME],
    );
    expect(rowCount).toBe(1);
  } finally {
    await admin.end();
  }
  // The lock went with the session: the old leader stops those workers (then it or the other instance leads afresh).
  await eventually(() => expect(leader.calcomSync?.processManager).not.toBe(workersBefore), 5 * RETRY_MS, 1);
  const { standby } = await leaderAndStandby(ledgers[0], ledgers[1]);
  expect(standby.calcomSync?.processManager).toBeNull();
  await scheduleAndCancelThrough(standby);
});

test('closing the leader: the standby takes over within the retry interval, and a later change syncs once', async () => {
  const { leader, standby } = await leaderAndStandby(ledgers[0], ledgers[1]);
  await leader.close();
  ledgers.splice(ledgers.indexOf(leader), 1);
  await eventually(async () => expect(await workersOf(standby)).toBe('leader'), 5_000);
  expect(standby.calcomSync?.processManager).not.toBeNull();
  await scheduleAndCancelThrough(standby);
});
