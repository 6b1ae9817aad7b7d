import { randomUUID } from 'node:crypto';
import type { LoggerService } from '@nestjs/common';
import { type CalcomSyncSetup, dailySlots, startCalcomSyncSetup } from '../support/calcom-sync-setup.js';
import { eventually } from '../support/eventually.js';

/**
 * An admin's reschedule is the key owner's: the sync sends `rescheduledBy` = the email `GET /v2/me` gives, so on an
 * event type that requires confirmation Cal.com confirms the new booking at once (handleNewBooking.ts; the rescheduler
 * is taken only from `rescheduledBy`, bookings/2024-08-13 input.service.ts). When /v2/me fails, the reschedule goes
 * without it, and the log says so. Event type 101 requires confirmation here; the sandbox's key owner is Olivia, its host.
 */
const setups: CalcomSyncSetup[] = [];
const nextSlot = dailySlots(50);

afterAll(async () => {
  for (const setup of setups) await setup.close();
});

async function startLedger(name: string, warnings: string[]): Promise<CalcomSyncSetup> {
  const logger: LoggerService = { log: () => undefined, error: () => undefined, warn: (message: unknown) => void warnings.push(String(message)) };
  const setup = await startCalcomSyncSetup(name, {
    eventTypes: (eventTypes) => eventTypes.map((eventType) => (eventType.id === 101 ? { ...eventType, requiresConfirmation: true } : eventType)),
    proxy: true,
    logger,
  });
  setups.push(setup);
  return setup;
}

/** Books with Olivia on 101, reschedules as an admin, and returns Cal.com's booking after the reschedule. */
async function adminReschedule({ admin, levers }: CalcomSyncSetup) {
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
  const setup = await startLedger('calcom_rescheduled_by', []);
  const proxy = setup.proxy!;
  const mesBefore = proxy.count('GET', '/v2/me');
  expect(await adminReschedule(setup)).toMatchObject({ status: 'accepted' });
  expect(await adminReschedule(setup)).toMatchObject({ status: 'accepted' });
  expect(proxy.count('GET', '/v2/me') - mesBefore).toBe(1);
}, 60_000);

test('when GET /v2/me fails, the reschedule still goes (left pending by Cal.com) and the log says why', async () => {
  const warnings: string[] = [];
  const setup = await startLedger('calcom_rescheduled_by_no_me', warnings);
  setup.proxy!.rules.push({ method: 'GET', path: /^\/v2\/me$/, status: 500, body: { status: 'error', error: { code: 'InternalServerErrorException', message: 'boom' } } });
  expect(await adminReschedule(setup)).toMatchObject({ status: 'pending' });
  expect(warnings.some((warning) => warning.includes('/v2/me failed') && warning.includes('without rescheduledBy'))).toBe(true);
}, 60_000);
