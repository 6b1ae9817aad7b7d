import { randomUUID } from 'node:crypto';
import type { LoggerService } from '@nestjs/common';
import { startSandbox, type RunningSandbox } from '../../apps/calcom-sandbox/src/index.js';
import type { RunningLedger } from '../../apps/ledger/src/ledger.js';
import { CalcomAnsweringProxy } from '../support/calcom-answering-proxy.js';
import { calcomSettingsFor, LEDGER_SERVICES, LEDGER_STAFF, SandboxLevers, SYNC_TEST_CATALOG, WEBHOOK_SECRET } from '../support/calcom-sync-harness.js';
import { eventually } from '../support/eventually.js';
import { LedgerClient } from '../support/ledger-client.js';
import { ADMIN_TOKEN, startTestLedger } from '../support/ledger-for-tests.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

/**
 * An admin's reschedule is the key owner's: the sync sends `rescheduledBy` = the email `GET /v2/me` gives, so on an
 * event type that requires confirmation Cal.com confirms the new booking at once (handleNewBooking.ts; the rescheduler
 * is taken only from `rescheduledBy`, bookings/2024-08-13 input.service.ts). When /v2/me fails, the reschedule goes
 * without it, and the log says so. Event type 101 requires confirmation here; the sandbox's key owner is Olivia, its host.
 */
let sandbox: RunningSandbox;
let levers: SandboxLevers;
let proxy: CalcomAnsweringProxy;
const databases: TestDatabase[] = [];
const ledgers: RunningLedger[] = [];
let day = 50;

beforeAll(async () => {
  const eventTypes = SYNC_TEST_CATALOG.eventTypes.map((eventType) => (eventType.id === 101 ? { ...eventType, requiresConfirmation: true } : eventType));
  sandbox = await startSandbox({ port: 0, catalog: { ...SYNC_TEST_CATALOG, eventTypes }, webhookSecret: WEBHOOK_SECRET });
  levers = new SandboxLevers(sandbox);
  proxy = await CalcomAnsweringProxy.start(sandbox.url);
});

afterAll(async () => {
  for (const ledger of ledgers) await ledger.close();
  await proxy?.close();
  await sandbox?.close();
  for (const database of databases) await database.drop();
});

async function startLedger(name: string, warnings: string[]): Promise<LedgerClient> {
  const database = await createTestDatabase(name);
  databases.push(database);
  const logger: LoggerService = { log: () => undefined, error: () => undefined, warn: (message: unknown) => void warnings.push(String(message)) };
  const ledger = await startTestLedger(database.url, { calcom: calcomSettingsFor(sandbox, { apiUrl: proxy.url }), calcomWebhookSecret: WEBHOOK_SECRET } as never, { logger });
  ledgers.push(ledger);
  const admin = new LedgerClient(ledger.url, ADMIN_TOKEN);
  for (const { id, body } of LEDGER_STAFF) expect((await admin.put(`/staff/${id}`, body)).status).toBe(200);
  for (const { id, body } of LEDGER_SERVICES) expect((await admin.put(`/services/${id}`, body)).status).toBe(200);
  return admin;
}

const nextSlot = (): string => {
  const date = new Date();
  date.setUTCDate(date.getUTCDate() + day++);
  date.setUTCHours(10, 0, 0, 0);
  return date.toISOString();
};

/** Books with Olivia on 101, reschedules as an admin, and returns Cal.com's booking after the reschedule. */
async function adminReschedule(admin: LedgerClient) {
  const appointmentId = randomUUID();
  const customer = { name: 'Ada', email: `ada-${appointmentId.slice(0, 8)}@example.com`, timeZone: 'Europe/London' };
  expect((await admin.post('/appointments', { appointmentId, serviceId: 'consult', staffId: 'olivia', startsAt: nextSlot(), customer })).status).toBe(201);
  await eventually(async () => expect((await admin.get(`/appointments/${appointmentId}`)).body.calcom).toMatchObject({ syncStatus: 'synced' }), 10_000);
  const startsAt = nextSlot();
  expect((await admin.post(`/appointments/${appointmentId}/reschedule`, { startsAt })).status).toBe(200);
  const calcom = await eventually(async () => {
    const block = (await admin.get(`/appointments/${appointmentId}`)).body.calcom;
    expect(block).toMatchObject({ syncStatus: 'synced' });
    expect(block.bookingUids).toHaveLength(2);
    return block;
  }, 10_000);
  return (await levers.state()).bookings.find((booking) => booking.uid === calcom.bookingUid)!;
}

test('an admin reschedule on a confirmation-required type is confirmed at once (rescheduledBy from GET /v2/me, asked once)', async () => {
  const admin = await startLedger('calcom_rescheduled_by', []);
  const mesBefore = proxy.count('GET', '/v2/me');
  expect(await adminReschedule(admin)).toMatchObject({ status: 'accepted' });
  expect(await adminReschedule(admin)).toMatchObject({ status: 'accepted' });
  expect(proxy.count('GET', '/v2/me') - mesBefore).toBe(1);
}, 60_000);

test('when GET /v2/me fails, the reschedule still goes (left pending by Cal.com) and the log says why', async () => {
  proxy.rules.push({ method: 'GET', path: /^\/v2\/me$/, status: 500, body: { status: 'error', error: { code: 'InternalServerErrorException', message: 'boom' } } });
  const warnings: string[] = [];
  const admin = await startLedger('calcom_rescheduled_by_no_me', warnings);
  expect(await adminReschedule(admin)).toMatchObject({ status: 'pending' });
  expect(warnings.some((warning) => warning.includes('/v2/me failed') && warning.includes('without rescheduledBy'))).toBe(true);
}, 60_000);
