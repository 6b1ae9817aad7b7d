import { randomUUID } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { slot } from '../support/calcom-sandbox-customer.js';
import { mutationsOf } from '../support/calcom-sync-harness.js';
import { eventually } from '../support/eventually.js';
import { TEST_ADMIN, TEST_AUDITOR } from '../support/ledger-for-tests.js';
import { adminUiForFile } from './support/admin-ui-ledger.js';
import { openDesk, signIn, signedInDeskForFile } from './support/browser.js';
import { salonWall } from './support/calendar-drag.js';
import type { Page } from 'playwright-core';

/** A sick day from the Staff & services page: report, see the plan, carry it out (after the calendar moved on), list; an auditor only looks. */
const ui = adminUiForFile('browser_absences');
const REASON = 'Sick day (flu)';

async function synced(staffId: string, startsAt: string, name: string): Promise<string> {
  const appointmentId = randomUUID();
  const created = await ui.admin.post('/appointments', {
    appointmentId,
    serviceId: 'team-session',
    staffId,
    startsAt,
    customer: { name, email: `${appointmentId.slice(0, 8)}@example.com`, timeZone: 'Europe/Berlin' },
  });
  expect(created.status).toBe(201);
  await eventually(async () => expect((await ui.admin.get(`/appointments/${appointmentId}`)).body.calcom?.syncStatus).toBe('synced'), 15_000);
  return appointmentId;
}

/** What a datetime-local input on the salon's clock shows for an instant. */
function salonInput(iso: string): string {
  const { date, hour, minute } = salonWall(iso);
  return `${date}T${String(hour).padStart(2, '0')}:${String(minute).padStart(2, '0')}`;
}

const planRow = (page: Page, region: string, appointmentId: string) => page.getByRole('region', { name: region }).locator(`tr[data-appointment-id="${appointmentId}"]`);

const desk = signedInDeskForFile(() => ui);

test('Hugo is ill: the plan shows each appointment going to Rita or cancelled and why; carried out after a refused stale plan, Cal.com gets exactly those calls', async () => {
  const { page } = desk;
  const first = await synced('hugo', slot(0), 'Anna Albers');
  const clash = await synced('hugo', slot(1), 'Bert Brandt');
  const third = await synced('hugo', slot(2), 'Cleo Cramer');
  const ritasOwn = await synced('rita', slot(1), 'Rita’s own customer');

  await page.goto('/admin/catalog');
  const hugo = page.getByRole('region', { name: 'Absences of Hugo' });
  await hugo.getByText('No absences.').waitFor();
  await hugo.getByRole('button', { name: 'Report absence for Hugo' }).click();
  const dialog = page.getByRole('dialog', { name: 'Report absence for Hugo' });
  await dialog.getByLabel('From', { exact: true }).fill(salonInput(new Date(Date.parse(slot(0)) - 30 * 60_000).toISOString()));
  await dialog.getByLabel('To', { exact: true }).fill(salonInput(slot(4)));
  await dialog.getByLabel('Reason', { exact: true }).fill(REASON);
  await dialog.getByLabel('Plan', { exact: true }).selectOption('reassign');
  await dialog.getByRole('checkbox', { name: 'Rita' }).check();
  await dialog.getByRole('checkbox', { name: 'Olivia' }).check();
  expect(await dialog.getByText(/^Order: /).textContent()).toBe('Order: Rita, Olivia');
  await dialog.getByRole('button', { name: 'Show plan' }).click();

  await planRow(page, 'The plan', third).waitFor();
  const planned = async (region: string, appointmentId: string) => {
    const row = planRow(page, region, appointmentId);
    return { action: await row.getAttribute('data-action'), to: await row.getAttribute('data-to-staff-id'), text: await row.textContent() };
  };
  expect(await planned('The plan', first)).toMatchObject({ action: 'reassign', to: 'rita', text: expect.stringContaining('Reassigned to Rita') });
  expect(await planned('The plan', clash)).toMatchObject({
    action: 'cancel',
    to: '',
    text: expect.stringMatching(/Cancelled.*rita: busy with .*olivia: does not offer the service/),
  });
  expect(await planned('The plan', third)).toMatchObject({ action: 'reassign', to: 'rita' });
  expect(await page.getByRole('region', { name: 'The plan' }).locator('tbody tr').count()).toBe(3);
  expect((await ui.admin.get(`/appointments/${first}`)).body.staffId).toBe('hugo'); // the dry run changed nothing

  // Someone books Hugo inside the absence while the plan is on screen: the real call refuses and says what changed.
  const late = await synced('hugo', slot(3), 'Dora Dietz');
  // Booking a round-robin event type may already take a reassign (Cal.com picked another host): count from here.
  const calcomBefore = await ui.customer.state();
  const callsSince = (state: typeof calcomBefore, appointmentId: string) =>
    mutationsOf(state as never, appointmentId)
      .slice(mutationsOf(calcomBefore as never, appointmentId).length)
      .map(({ op }) => op);
  await dialog.getByRole('button', { name: 'Carry out' }).click();
  const changed = dialog.getByRole('alert');
  await changed.getByText('The calendar changed since this plan was shown; nothing was done. What changed:').waitFor();
  expect(await changed.locator('li').allTextContents()).toEqual([expect.stringMatching(new RegExp(`^${late.slice(0, 8)} \\(.+\\) is new in the plan: Reassigned to Rita\\.$`))]);
  expect(await planned('The plan', late)).toMatchObject({ action: 'reassign', to: 'rita' });
  expect((await ui.admin.get(`/appointments/${first}`)).body.staffId).toBe('hugo');

  await dialog.getByRole('button', { name: 'Carry out' }).click();
  await dialog.getByText('The absence is recorded.').waitFor();
  for (const appointmentId of [first, clash, third, late]) expect(await planRow(page, 'What happened', appointmentId).textContent()).toContain('done');
  await page.screenshot({ path: join(tmpdir(), 'admin-ui-absences.png'), fullPage: true });

  const expected: Record<string, { staffId: string; status?: string; ops: string[] }> = {
    [first]: { staffId: 'rita', ops: ['reassign'] },
    [clash]: { staffId: 'hugo', status: 'cancelled', ops: ['cancel'] },
    [third]: { staffId: 'rita', ops: ['reassign'] },
    [late]: { staffId: 'rita', ops: ['reassign'] },
    [ritasOwn]: { staffId: 'rita', ops: [] },
  };
  await eventually(async () => {
    const state = await ui.customer.state();
    for (const [appointmentId, { staffId, status, ops }] of Object.entries(expected)) {
      const { body } = await ui.admin.get(`/appointments/${appointmentId}`);
      expect({ appointmentId, staffId: body.staffId, sync: body.calcom.syncStatus }).toEqual({ appointmentId, staffId, sync: 'synced' });
      if (status) expect(body.status).toBe(status);
      else expect(body.status).not.toBe('cancelled');
      expect({ appointmentId, calls: callsSince(state, appointmentId) }).toEqual({ appointmentId, calls: ops });
    }
    expect(state.mutations.length - calcomBefore.mutations.length).toBe(4); // and no call for anything else
  }, 20_000);

  await dialog.getByRole('button', { name: 'Close' }).click();
  const listed = hugo.locator('tbody tr');
  await eventually(async () => expect(await listed.count()).toBe(1), 10_000);
  expect(await listed.first().textContent()).toContain(REASON);
  expect(await listed.first().textContent()).toContain('active');
  expect((await ui.admin.get('/staff/hugo/absences')).body.items).toEqual([
    expect.objectContaining({ reason: REASON, plan: 'reassign', reassignTo: ['rita', 'olivia'], cancelled: false }),
  ]);
}, 120_000);

test('an auditor sees the absence and no control to report or cancel one', async () => {
  const { context, page } = await openDesk(ui.browser, ui.url);
  try {
    await signIn(page, TEST_AUDITOR.email, TEST_AUDITOR.password);
    await page.goto('/admin/catalog');
    const hugo = page.getByRole('region', { name: 'Absences of Hugo' });
    await hugo.getByText(REASON).waitFor();
    expect(await page.getByRole('button', { name: /absence|Show plan|Carry out/ }).count()).toBe(0);
    expect(await hugo.getByRole('button').count()).toBe(0);
  } finally {
    await context.close();
  }
}, 60_000);

test('cancelling an absence asks first (Keep it changes nothing), then ends it', async () => {
  const { page } = desk;
  await page.goto('/admin/catalog');
  const hugo = page.getByRole('region', { name: 'Absences of Hugo' });
  await hugo.getByRole('button', { name: /^Cancel absence: / }).click();
  const confirm = page.getByRole('dialog', { name: 'Cancel absence' });
  await confirm.getByRole('button', { name: 'Keep it' }).click();
  await confirm.waitFor({ state: 'detached' });
  expect((await ui.admin.get('/staff/hugo/absences')).body.items[0].cancelled).toBe(false);
  await hugo.getByRole('button', { name: /^Cancel absence: / }).click();
  await confirm.getByRole('button', { name: 'Cancel absence' }).click();
  await hugo.getByRole('cell', { name: 'cancelled' }).waitFor();
  expect((await ui.admin.get('/staff/hugo/absences')).body.items[0].cancelled).toBe(true);
  expect(await hugo.getByRole('button', { name: /^Cancel absence/ }).count()).toBe(0);
}, 60_000);

test('German: the absences and their controls in German, times on the salon clock', async () => {
  const german = await openDesk(ui.browser, ui.url, { locale: 'de-DE' });
  try {
    await german.page.goto('/admin/');
    await german.page.getByLabel('E-Mail').fill(TEST_ADMIN.email);
    await german.page.getByLabel('Passwort').fill(TEST_ADMIN.password);
    await german.page.getByRole('button', { name: 'Anmelden' }).click();
    await german.page.getByRole('navigation', { name: 'Hauptnavigation' }).waitFor();
    await german.page.goto('/admin/catalog');
    const hugo = german.page.getByRole('region', { name: 'Abwesenheiten von Hugo' });
    await hugo.getByRole('cell', { name: 'aufgehoben' }).waitFor();
    const [absence] = (await ui.admin.get('/staff/hugo/absences')).body.items;
    const shown = new Intl.DateTimeFormat('de-DE', { timeZone: 'Europe/Berlin', dateStyle: 'medium', timeStyle: 'short' }).format(new Date(absence.from));
    expect(await hugo.locator('tbody tr').first().textContent()).toContain(shown);
    await hugo.getByRole('button', { name: 'Abwesenheit melden für Hugo' }).click();
    const dialog = german.page.getByRole('dialog', { name: 'Abwesenheit melden für Hugo' });
    for (const label of ['Von', 'Bis', 'Grund', 'Plan']) await dialog.getByLabel(label, { exact: true }).waitFor();
    await dialog.getByRole('button', { name: 'Plan zeigen' }).waitFor();
  } finally {
    await german.context.close();
  }
}, 60_000);
