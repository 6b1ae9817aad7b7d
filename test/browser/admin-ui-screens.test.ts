import { mkdirSync } from 'node:fs';
import { slot } from '../support/calcom-sandbox-customer.js';
import { eventually } from '../support/eventually.js';
import { TEST_ADMIN } from '../support/ledger-for-tests.js';
import { adminUiForFile } from './support/admin-ui-ledger.js';
import { openDesk, signedInDeskForFile } from './support/browser.js';
import { dragAppointment, eventOf, salonWall } from './support/calendar-drag.js';

/** A refusal that snaps back, a conflict settled and a drift healed from the UI, German, and the README's screenshot. */
const ui = adminUiForFile('browser_screens');
const STAFF_COLUMNS = ['hugo', 'olivia', 'rita'];
const SANDBOX_API = { 'content-type': 'application/json', authorization: 'Bearer cal_sandbox_key', 'cal-api-version': '2024-08-13' };

const synced = ui.scheduledAndSynced;

const desk = signedInDeskForFile(() => ui);

test('a drag onto a taken time is refused in words, nothing is stored, and the appointment stays where it was', async () => {
  const { page } = desk;
  const moving = await synced('consultation', 'olivia', slot(0), 'Ines Ortega');
  const taken = await synced('consultation', 'olivia', slot(1), 'Jonas Berg');
  await page.goto(`/admin/?date=${salonWall(moving.startsAt).date}`);
  await eventOf(page, moving.appointmentId).waitFor();
  const target = salonWall(taken.startsAt);
  await dragAppointment(page, moving.appointmentId, STAFF_COLUMNS.indexOf('olivia'), target.hour, target.minute);
  await page.getByRole('dialog', { name: 'Move this appointment?' }).getByRole('button', { name: 'Confirm' }).click();
  const refusal = page.locator('.notice.error');
  await refusal.waitFor();
  expect(await refusal.textContent()).toMatch(/^(Olivia is not free then: another appointment overlaps|Cal.com has no free slot for Olivia at that time)\. Nothing was changed\.$/);
  expect(await page.locator(`[data-appointment-id="${moving.appointmentId}"]`).getAttribute('data-starts-at')).toBe(moving.startsAt);
  expect((await ui.admin.get(`/appointments/${moving.appointmentId}`)).body).toMatchObject({ startsAt: moving.startsAt, version: 1 });
  const listed = (await ui.admin.get(`/appointments?staffId=olivia&to=${encodeURIComponent(slot(2))}`)).body.items;
  expect(
    listed.map((item: { appointmentId: string; calcom: { syncStatus: string; bookingUid: string } }) => [item.appointmentId, item.calcom.syncStatus, item.calcom.bookingUid]),
  ).toEqual([
    [moving.appointmentId, 'synced', moving.uid],
    [taken.appointmentId, 'synced', taken.uid],
  ]);
});

test('a click on a free slot opens "New appointment" for that staff member and time; Save books it and Cal.com follows', async () => {
  const { page } = desk;
  const startsAt = slot(2);
  const wall = salonWall(startsAt);
  await page.goto(`/admin/?date=${wall.date}`);
  const freeSlot = page
    .locator('.rbc-time-content .rbc-day-slot')
    .nth(STAFF_COLUMNS.indexOf('hugo'))
    .locator('.rbc-time-slot')
    .nth(wall.hour * 4 + wall.minute / 15);
  await freeSlot.scrollIntoViewIfNeeded();
  const box = await freeSlot.boundingBox();
  await page.mouse.click(box!.x + box!.width / 2, box!.y + box!.height / 2);
  const dialog = page.getByRole('dialog', { name: 'New appointment' });
  expect(await dialog.getByLabel('Staff').inputValue()).toBe('hugo');
  expect(await dialog.getByLabel('Start').inputValue()).toBe(`${wall.date}T${String(wall.hour).padStart(2, '0')}:${String(wall.minute).padStart(2, '0')}`);
  await dialog.getByLabel('Service').selectOption('team-session');
  await dialog.getByLabel('Customer name').fill('Mara Lind');
  await dialog.getByLabel('Customer email').fill('mara@example.com');
  await dialog.getByRole('button', { name: 'Save' }).click();
  const booked = page.locator('.rbc-event', { hasText: 'Mara Lind' });
  await booked.waitFor();
  await eventually(async () => expect(await booked.locator('.sync-badge').textContent()).toBe('synced'), 15_000);
  expect(await booked.locator('.event-box').getAttribute('data-starts-at')).toBe(startsAt);
  expect(await booked.locator('.event-box').getAttribute('data-staff-id')).toBe('hugo');
});

test('the list filters by search and sync status through the API and shows each sync badge', async () => {
  const { page } = desk;
  await page.goto('/admin/list');
  await page.getByLabel('Search').fill('mara@EXAMPLE');
  await page.getByLabel('Sync status').selectOption('synced');
  await page.getByRole('button', { name: 'Filter' }).click();
  await eventually(async () => {
    const rows = page.locator('tbody tr');
    expect(await rows.count()).toBe(1);
    expect(await rows.first().textContent()).toContain('Mara Lind');
    expect(await rows.first().locator('.sync-badge').textContent()).toBe('synced');
  }, 10_000);
  await page.getByLabel('Sync status').selectOption('failed');
  await page.getByRole('button', { name: 'Filter' }).click();
  await page.getByText('No appointments.').waitFor();
});

test('a conflict is shown side by side and settled from the UI: keep ledger puts the ledger time on Cal.com', async () => {
  const { page } = desk;
  const booked = await synced('consultation', 'olivia', slot(3), 'Karl Weiss');
  await ui.customer.faults({ apiErrorRate: 1 });
  const ledgerStart = slot(4);
  expect((await ui.admin.post(`/appointments/${booked.appointmentId}/reschedule`, { startsAt: ledgerStart })).status).toBe(200);
  await ui.customer.reschedule(booked.uid, slot(5), 'Customer moved it');
  await eventually(async () => {
    const { body } = await ui.admin.get('/conflicts?status=open');
    expect(body.items.map((item: { appointmentId: string }) => item.appointmentId)).toContain(booked.appointmentId);
  }, 15_000);
  await ui.customer.faults({});

  await page.goto('/admin/conflicts');
  const card = page.locator('article', { has: page.locator(`a[href="/admin/appointments/${booked.appointmentId}"]`) });
  await card.waitFor();
  expect(await card.locator('table').textContent()).toContain(ledgerStart);
  await card.getByRole('button', { name: 'Keep ledger' }).click();
  await page.getByText('Saved.').waitFor();
  await eventually(async () => expect(await card.count()).toBe(0), 10_000);
  await eventually(async () => {
    const { body } = await ui.admin.get(`/appointments/${booked.appointmentId}`);
    expect(body).toMatchObject({ startsAt: ledgerStart, calcom: { syncStatus: 'synced' } });
  }, 15_000);
  const current = (await ui.admin.get(`/appointments/${booked.appointmentId}`)).body.calcom.bookingUid;
  expect((await ui.customer.state()).bookings.find((booking) => booking.uid === current)?.start).toBe(ledgerStart);
  await expectSignedInPersonOn(booked.appointmentId, /^Conflict .* resolved: keep ledger$/);
});

/** The events a person caused from the UI name them (name and account id), not a token or a header. */
async function expectSignedInPersonOn(appointmentId: string, reason: RegExp): Promise<void> {
  const { body } = await ui.admin.get(`/appointments/${appointmentId}/history`);
  const caused = (body.events as Array<{ metadata: { actor?: string; actorId?: string; reason?: string | null } }>).filter((event) => reason.test(event.metadata.reason ?? ''));
  expect(caused.length).toBeGreaterThan(0);
  for (const event of caused) expect(event.metadata).toMatchObject({ actor: TEST_ADMIN.name, actorId: expect.stringMatching(/\S/) });
}

test('a drift check run from the UI finds a silent change on Cal.com, and healing it puts the ledger time back', async () => {
  const { page } = desk;
  const booked = await synced('assessment', 'olivia', slot(7), 'Lena Vogt');
  const silentStart = slot(9);
  const patched = await fetch(`${ui.sandboxUrl}/_sandbox/bookings/${booked.uid}`, { method: 'PATCH', headers: SANDBOX_API, body: JSON.stringify({ start: silentStart }) });
  expect(patched.status).toBe(200);

  await page.goto('/admin/drift');
  await page.getByRole('button', { name: 'Run check' }).click();
  const item = page.locator('article', { has: page.locator(`a[href="/admin/appointments/${booked.appointmentId}"]`) });
  await item.waitFor({ timeout: 30_000 });
  await item.getByRole('button', { name: /^Heal: Keep ledger/ }).click();
  await eventually(async () => {
    const { body } = await ui.admin.get(`/appointments/${booked.appointmentId}`);
    expect(body.calcom.syncStatus).toBe('synced');
    const onCalcom = (await ui.customer.state()).bookings.find((candidate) => candidate.uid === body.calcom.bookingUid);
    expect(onCalcom).toMatchObject({ start: booked.startsAt, status: 'accepted' });
  }, 20_000);
  await expectSignedInPersonOn(booked.appointmentId, /^drift .*: keep the ledger$/);
});

test('German: chosen from the browser, switchable, dates in German in the salon time zone; the calendar screenshot for the README', async () => {
  const day = salonWall(slot(60)).date; // two days past the other tests' slots
  const at = (hour: number, minute = 0) => new Date(`${day}T${String(hour).padStart(2, '0')}:${String(minute).padStart(2, '0')}:00+01:00`).toISOString();
  await synced('consultation', 'olivia', at(9), 'Ada Lovelace');
  await synced('assessment', 'olivia', at(10, 30), 'Grace Hopper');
  await synced('team-session', 'hugo', at(9, 30), 'Ben Okafor');
  await synced('team-session', 'rita', at(11), 'Carla Diaz');
  await synced('team-session', 'hugo', at(13), 'Dev Patel');
  await ui.admin.post('/appointments', {
    serviceId: 'team-session',
    staffId: 'rita',
    startsAt: at(14),
    customer: { name: 'Emil Nowak', email: 'emil@example.com', timeZone: 'Europe/Berlin' },
  });
  const { page } = desk;
  await page.goto(`/admin/?date=${day}`);
  await page.locator('.rbc-event', { hasText: 'Emil Nowak' }).waitFor();
  await page.locator('.rbc-event', { hasText: 'Dev Patel' }).locator('.sync-badge', { hasText: 'synced' }).waitFor();
  mkdirSync('docs', { recursive: true });
  await page.screenshot({ path: 'docs/calendar.png' });

  const german = await openDesk(ui.browser, ui.url, { locale: 'de-DE' });
  await german.page.goto('/admin/');
  await german.page.getByRole('button', { name: 'Anmelden' }).waitFor();
  await german.page.getByLabel('E-Mail').fill(TEST_ADMIN.email);
  await german.page.getByLabel('Passwort').fill(TEST_ADMIN.password);
  await german.page.getByRole('button', { name: 'Anmelden' }).click();
  const navigation = german.page.getByRole('navigation', { name: 'Hauptnavigation' });
  await navigation.getByRole('link', { name: 'Kalender' }).waitFor();
  await german.page.goto(`/admin/?date=${day}`);
  await german.page.getByRole('button', { name: 'Neuer Termin' }).waitFor();
  const [year, month, date] = day.split('-').map(Number);
  const heading = await german.page.getByRole('heading', { level: 1 }).textContent();
  expect(heading).toContain(`${date}. ${new Intl.DateTimeFormat('de-DE', { month: 'short' }).format(new Date(Date.UTC(year, month - 1, 15)))}`);
  await german.page.getByLabel('Sprache').first().selectOption('en');
  await german.page.getByRole('button', { name: 'New appointment' }).waitFor();
  await german.context.close();
});
