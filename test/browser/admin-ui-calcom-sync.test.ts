import type { Page } from 'playwright-core';
import { mutationsOf } from '../support/calcom-sync-harness.js';
import { slot } from '../support/calcom-sandbox-customer.js';
import { eventually } from '../support/eventually.js';
import { TEST_ADMIN } from '../support/ledger-for-tests.js';
import { adminUiForFile } from './support/admin-ui-ledger.js';
import { openDesk, signIn, signedInDeskForFile } from './support/browser.js';
import { dragAppointment, eventOf, salonWall } from './support/calendar-drag.js';

/**
 * The four changes the old panel never synced, made through the UI, each reaching the Cal.com sandbox exactly once
 * (its mutation log) with the badge turning "synced"; a customer's reschedule on Cal.com showing up without reload;
 * and a second admin's stale edit refused in words.
 */
const ui = adminUiForFile('browser_calcom_sync');
const STAFF_COLUMNS = ['hugo', 'olivia', 'rita']; // GET /staff is ordered by id

const bookedAndSynced = (serviceId: string, staffId: string, slotIndex: number, name: string) => ui.scheduledAndSynced(serviceId, staffId, slot(slotIndex), name);

async function mutations(appointmentId: string) {
  return mutationsOf((await ui.customer.state()) as never, appointmentId);
}

async function opsOf(appointmentId: string) {
  return (await mutations(appointmentId)).map(({ op }) => op);
}

async function calendarOn(page: Page, startsAt: string) {
  await page.goto(`/admin/?date=${salonWall(startsAt).date}`);
  await page.locator('.rbc-time-content .rbc-day-slot').first().waitFor();
}

async function badgeOn(page: Page, appointmentId: string) {
  return page.locator(`[data-appointment-id="${appointmentId}"] .sync-badge`).textContent();
}

const desk = signedInDeskForFile(() => ui);

test('reschedule by drag: the dialog says what Cal.com will do, Cal.com reschedules once, the badge turns synced', async () => {
  const { page } = desk;
  const { appointmentId, startsAt } = await bookedAndSynced('consultation', 'olivia', 0, 'Ada Lovelace');
  await calendarOn(page, startsAt);
  await eventually(async () => expect(await badgeOn(page, appointmentId)).toBe('synced'), 10_000);
  const wall = salonWall(startsAt);
  await dragAppointment(page, appointmentId, STAFF_COLUMNS.indexOf('olivia'), wall.hour + 2, 30);
  const dialog = page.getByRole('dialog', { name: 'Move this appointment?' });
  await dialog.waitFor();
  expect(await dialog.textContent()).toContain('Cal.com: the booking is rescheduled to the new time');
  await dialog.getByRole('button', { name: 'Confirm' }).click();
  await page.getByText('Saved.').waitFor();

  const expectedStart = new Date(Date.parse(startsAt) + 150 * 60_000).toISOString();
  await eventually(async () => {
    expect(await page.locator(`[data-appointment-id="${appointmentId}"]`).getAttribute('data-starts-at')).toBe(expectedStart);
    expect(await badgeOn(page, appointmentId)).toBe('synced');
  }, 15_000);
  expect(await opsOf(appointmentId)).toEqual(['create', 'reschedule']);
  const rescheduledUid = (await mutations(appointmentId))[1].uid;
  const booking = (await ui.customer.state()).bookings.find((candidate) => candidate.uid === rescheduledUid);
  expect(booking?.start).toBe(expectedStart);
});

test('reassign by drag to another staff column: Cal.com hands the round-robin booking over once, the badge turns synced', async () => {
  const { page } = desk;
  const { appointmentId, startsAt } = await bookedAndSynced('team-session', 'hugo', 1, 'Ben Okafor');
  await calendarOn(page, startsAt);
  const wall = salonWall(startsAt);
  await dragAppointment(page, appointmentId, STAFF_COLUMNS.indexOf('rita'), wall.hour, wall.minute);
  const dialog = page.getByRole('dialog', { name: 'Move this appointment?' });
  await dialog.waitFor();
  expect(await dialog.textContent()).toContain('Cal.com: the same booking is handed to Rita on the shared event type.');
  expect(await dialog.textContent()).not.toContain('rescheduled');
  await dialog.getByRole('button', { name: 'Confirm' }).click();
  await eventually(async () => {
    expect(await page.locator(`[data-appointment-id="${appointmentId}"]`).getAttribute('data-staff-id')).toBe('rita');
    expect(await badgeOn(page, appointmentId)).toBe('synced');
  }, 15_000);
  expect(await opsOf(appointmentId)).toEqual(['create', 'reassign']);
  expect((await ui.admin.get(`/appointments/${appointmentId}`)).body).toMatchObject({ staffId: 'rita', startsAt });
});

test('cancel and change of service from the appointment page each reach Cal.com once and end synced', async () => {
  const { page } = desk;
  const cancelled = await bookedAndSynced('consultation', 'olivia', 4, 'Carla Diaz');
  await page.goto(`/admin/appointments/${cancelled.appointmentId}`);
  await page.locator('.live-on').waitFor();
  await page.getByRole('button', { name: 'Cancel appointment' }).click();
  const cancelDialog = page.getByRole('dialog', { name: 'Cancel appointment' });
  expect(await cancelDialog.textContent()).toContain('Cal.com: the booking is cancelled');
  await cancelDialog.getByLabel('Reason').fill('Customer is ill');
  await cancelDialog.getByRole('button', { name: 'Save' }).click();
  await page.getByText('Saved.').waitFor();
  await eventually(
    async () => expect((await ui.admin.get(`/appointments/${cancelled.appointmentId}`)).body).toMatchObject({ status: 'cancelled', calcom: { syncStatus: 'synced' } }),
    15_000,
  );
  await eventually(async () => {
    expect(await page.locator('h1 .sync-badge').textContent()).toBe('synced');
    expect(await page.locator('h1 .status-chip').textContent()).toBe('cancelled');
  }, 15_000);
  expect(await opsOf(cancelled.appointmentId)).toEqual(['create', 'cancel']);

  const changed = await bookedAndSynced('consultation', 'olivia', 5, 'Dev Patel');
  await page.goto(`/admin/appointments/${changed.appointmentId}`);
  await page.getByRole('button', { name: 'Change service' }).click();
  const serviceDialog = page.getByRole('dialog', { name: 'Change service' });
  await serviceDialog.getByLabel('Service').selectOption('assessment');
  expect(await serviceDialog.textContent()).toContain('Cal.com: the booking is cancelled and a new one is made for Assessment.');
  await serviceDialog.getByRole('button', { name: 'Save' }).click();
  await page.getByText('Saved.').waitFor();
  await eventually(async () => {
    expect(await page.locator('dl.fields').first().textContent()).toContain('Assessment');
    expect(await page.locator('h1 .sync-badge').textContent()).toBe('synced');
  }, 15_000);
  expect(await opsOf(changed.appointmentId)).toEqual(['create', 'cancel', 'create']);
  await page.getByRole('heading', { name: 'History' }).waitFor();
  await eventually(async () => expect(await page.locator('.timeline').textContent()).toContain('ServiceChanged'), 10_000);
});

test("a customer's reschedule on Cal.com moves the appointment in the open calendar without reload", async () => {
  const { page } = desk;
  const { appointmentId, uid, startsAt } = await bookedAndSynced('consultation', 'olivia', 7, 'Emil Nowak');
  await calendarOn(page, startsAt);
  await eventOf(page, appointmentId).waitFor();
  // A mark on the page's global object: a reload would lose it.
  await page.evaluate(() => Reflect.set(globalThis, '__notReloaded', true));
  const newStart = new Date(Date.parse(startsAt) + 60 * 60_000).toISOString();
  await ui.customer.reschedule(uid, newStart);
  await eventually(async () => {
    expect(await page.locator(`[data-appointment-id="${appointmentId}"]`).getAttribute('data-starts-at')).toBe(newStart);
    expect(await badgeOn(page, appointmentId)).toBe('synced');
  }, 15_000);
  expect(await page.evaluate(() => Reflect.get(globalThis, '__notReloaded'))).toBe(true);
});

test('two admins edit the same appointment: the second is told in words that it changed, and nothing of theirs is stored', async () => {
  const { appointmentId, startsAt } = await bookedAndSynced('consultation', 'olivia', 9, 'Fatima Zahra');
  const second = await openDesk(ui.browser, ui.url);
  await signIn(second.page, TEST_ADMIN.email, TEST_ADMIN.password);
  for (const page of [desk.page, second.page]) {
    await page.goto(`/admin/appointments/${appointmentId}`);
    await page.getByRole('button', { name: 'Reschedule' }).click();
  }
  const at = (minutes: number) => salonWall(new Date(Date.parse(startsAt) + minutes * 60_000).toISOString());
  const localInput = (wall: ReturnType<typeof salonWall>) => `${wall.date}T${String(wall.hour).padStart(2, '0')}:${String(wall.minute).padStart(2, '0')}`;

  const first = desk.page.getByRole('dialog', { name: 'Reschedule' });
  await first.getByLabel('Start').fill(localInput(at(30)));
  await first.getByRole('button', { name: 'Save' }).click();
  await desk.page.getByText('Saved.').waitFor();

  const late = second.page.getByRole('dialog', { name: 'Reschedule' });
  await late.getByLabel('Start').fill(localInput(at(60)));
  await late.getByRole('button', { name: 'Save' }).click();
  await expect(late.getByRole('alert').textContent()).resolves.toMatch(/^Someone else changed this appointment since you opened it/);
  expect((await ui.admin.get(`/appointments/${appointmentId}`)).body.startsAt).toBe(new Date(Date.parse(startsAt) + 30 * 60_000).toISOString());
  await second.context.close();
});
