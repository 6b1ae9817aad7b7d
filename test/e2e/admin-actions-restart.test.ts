import { randomUUID } from 'node:crypto';
import type { RunningSandbox } from '#calcom-sandbox';
import type { RunningLedger } from '../../apps/ledger/src/ledger.js';
import { CalcomAnsweringProxy } from '../support/calcom-answering-proxy.js';
import { calcomSettingsFor, LEDGER_SERVICES, LEDGER_STAFF, SandboxLevers, startSyncTestSandbox, WEBHOOK_SECRET } from '../support/calcom-sync-harness.js';
import { eventually } from '../support/eventually.js';
import { LedgerClient } from '../support/ledger-client.js';
import { ADMIN_TOKEN, startTestLedger } from '../support/ledger-for-tests.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

/**
 * Issue 12: a no-show whose mark-absent was sent when the ledger stopped (Cal.com's answer never came back; the change
 * landed) is looked up by the next ledger on the same database, not sent again: one mark-absent in the mutation log.
 */
let database: TestDatabase;
let sandbox: RunningSandbox;
let levers: SandboxLevers;
let proxy: CalcomAnsweringProxy;
let ledger: RunningLedger | undefined;
let clockOffsetMs = 0;
const now = () => new Date(Date.now() + clockOffsetMs);

const startLedger = async () => {
  const started = await startTestLedger(database.url, { calcom: { ...calcomSettingsFor(sandbox), apiUrl: proxy.url }, calcomWebhookSecret: WEBHOOK_SECRET } as never, {
    logger: false,
    now,
  });
  sandbox.setWebhookUrl(`${started.url}/webhooks/calcom`);
  return { started, admin: new LedgerClient(started.url, ADMIN_TOKEN) };
};

beforeAll(async () => {
  database = await createTestDatabase('admin_actions_restart');
  sandbox = await startSyncTestSandbox({ now });
  levers = new SandboxLevers(sandbox);
  proxy = await CalcomAnsweringProxy.start(sandbox.url);
});

afterAll(async () => {
  await ledger?.close();
  await proxy?.close();
  await sandbox?.close();
  await database?.drop();
});

const appointmentSynced = (admin: LedgerClient, appointmentId: string, status: string) =>
  eventually(async () => {
    const { body } = await admin.get(`/appointments/${appointmentId}`);
    expect(body).toMatchObject({ status, calcom: { syncStatus: 'synced', lastError: null } });
    return body;
  }, 20_000);

it('a mark-absent in flight when the ledger stops is found done on Cal.com after the restart, not sent twice', async () => {
  const first = await startLedger();
  ledger = first.started;
  for (const { id, body } of LEDGER_STAFF) expect((await first.admin.put(`/staff/${id}`, body)).status).toBe(200);
  for (const { id, body } of LEDGER_SERVICES) expect((await first.admin.put(`/services/${id}`, body)).status).toBe(200);
  const appointmentId = randomUUID();
  const startsAt = new Date(Math.ceil(Date.now() / 3_600_000) * 3_600_000 + 2 * 86_400_000).toISOString();
  const customer = { name: 'Ada Lovelace', email: 'ada@example.com', timeZone: 'Europe/London' };
  expect((await first.admin.post('/appointments', { appointmentId, serviceId: 'consult', staffId: 'olivia', startsAt, customer, force: true })).status).toBe(201);
  const { calcom } = await appointmentSynced(first.admin, appointmentId, 'scheduled');

  clockOffsetMs = Date.parse(startsAt) + 5 * 60_000 - Date.now();
  // The mark-absent lands on Cal.com and its answer never comes back; the ledger stops before it learns anything.
  proxy.rules.push({ method: 'POST', path: /\/mark-absent$/, status: 0, body: null, landThenHang: true });
  expect((await first.admin.post(`/appointments/${appointmentId}/no-show`, { absent: true })).status).toBe(200);
  await eventually(async () => {
    const { body } = await first.admin.get(`/appointments/${appointmentId}/history`);
    expect(body.events.some((entry: any) => entry.type === 'CalcomOperationStarted' && entry.data.operation === 'mark-absent')).toBe(true);
  }, 20_000);
  await eventually(async () => {
    const state = await levers.state();
    expect(state.mutations.filter((mutation) => mutation.uid === calcom.bookingUid && mutation.op === 'mark-absent')).toHaveLength(1);
  }, 20_000);
  await first.started.close();
  ledger = undefined;
  proxy.rules.length = 0;

  const second = await startLedger();
  ledger = second.started;
  await appointmentSynced(second.admin, appointmentId, 'no_show');
  const state = await levers.state();
  expect(state.mutations.filter((mutation) => mutation.uid === calcom.bookingUid).map((mutation) => mutation.op)).toEqual(['create', 'mark-absent']);
  expect(state.bookings.find((booking) => booking.uid === calcom.bookingUid)).toBeTruthy();
  const { body } = await second.admin.get(`/appointments/${appointmentId}/history`);
  const outcomes = body.events
    .filter((entry: any) => entry.data?.operation === 'mark-absent')
    .map((entry: any) => `${entry.type}${entry.data.alreadyDone ? ' (already done)' : ''}`);
  expect(outcomes[0]).toBe('CalcomOperationStarted');
  expect(outcomes.at(-1)).toBe('CalcomOperationSucceeded (already done)');
  expect(outcomes.filter((outcome: string) => outcome === 'CalcomOperationStarted')).toHaveLength(1);
  expect(proxy.count('POST', `/v2/bookings/${calcom.bookingUid}/mark-absent`)).toBe(1);
}, 90_000);
