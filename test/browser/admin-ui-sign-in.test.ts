import { randomUUID } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { slot } from '../support/calcom-sandbox-customer.js';
import { eventually } from '../support/eventually.js';
import { TEST_ADMIN, TEST_AUDITOR } from '../support/ledger-for-tests.js';
import { adminUiForFile } from './support/admin-ui-ledger.js';
import { openDesk, signIn } from './support/browser.js';
import { salonWall } from './support/calendar-drag.js';

/** Sign-in, a wrong password, sign-out, and an auditor who sees everything and no command. */
const ui = adminUiForFile('browser_sign_in');

test('/ leads to the sign-in page; a wrong password is said in words; the right one opens the calendar; sign-out ends the session', async () => {
  const { context, page, problems } = await openDesk(ui.browser, ui.url);
  await page.goto('/');
  expect(new URL(page.url()).pathname).toBe('/admin/');
  await page.getByLabel('Email').fill(TEST_ADMIN.email);
  await page.getByLabel('Password').fill('not-the-password');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('alert').textContent()).resolves.toBe('Wrong email or password.');
  expect(await page.getByRole('navigation', { name: 'Main navigation' }).count()).toBe(0);

  await page.getByLabel('Password').fill(TEST_ADMIN.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  const navigation = page.getByRole('navigation', { name: 'Main navigation' });
  await navigation.waitFor();
  for (const name of ['Calendar', 'List', 'Conflicts', 'Drift', 'Sync health', 'Staff & services']) expect(await navigation.getByRole('link', { name }).count()).toBe(1);
  await page.getByRole('button', { name: 'New appointment' }).waitFor();
  expect(await page.getByText(`Signed in as ${TEST_ADMIN.name} (admin)`).count()).toBe(1);

  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.getByRole('button', { name: 'Sign in' }).waitFor();
  await page.reload();
  await page.getByRole('button', { name: 'Sign in' }).waitFor();
  expect((await context.request.get('/auth/me')).status()).toBe(401);
  expect(problems.filter((problem) => !/401|Unauthorized/i.test(problem))).toEqual([]);
  await context.close();
});

test('an auditor sees the calendar, the appointment, its Cal.com box and history, and no command anywhere', async () => {
  const appointmentId = randomUUID();
  const startsAt = slot(1);
  const created = await ui.admin.post('/appointments', {
    appointmentId,
    serviceId: 'consultation',
    staffId: 'olivia',
    startsAt,
    customer: { name: 'Grace Hopper', email: 'grace@example.com', timeZone: 'Europe/Berlin' },
  });
  expect(created.status).toBe(201);
  const { context, page } = await openDesk(ui.browser, ui.url);
  await signIn(page, TEST_AUDITOR.email, TEST_AUDITOR.password);
  await page.getByText('Read only: your role can look at everything and change nothing.').waitFor();
  expect(await page.getByRole('button', { name: 'New appointment' }).count()).toBe(0);
  // From the salon's day before the appointment, not from today: between 23:00 and midnight UTC the salon's today
  // (Berlin) is already the day of a slot made for "tomorrow" in UTC, and "Next" went past it.
  const dayBefore = new Date(Date.parse(`${salonWall(startsAt).date}T12:00:00Z`) - 86_400_000).toISOString().slice(0, 10);
  await page.goto(`/admin/?date=${dayBefore}`);
  await page.getByRole('button', { name: 'Next' }).click();
  const event = page.locator('.rbc-event', { hasText: 'Grace Hopper' });
  await event.waitFor();
  expect(await event.getAttribute('class')).not.toContain('rbc-addons-dnd-draggable');

  await page.goto(`/admin/appointments/${appointmentId}`);
  await page
    .getByRole('heading', { name: /Grace Hopper/ })
    .first()
    .waitFor();
  await page.getByRole('heading', { name: 'History' }).waitFor();
  await eventually(async () => expect(await page.locator('.timeline-item').count()).toBeGreaterThan(0), 10_000);
  for (const name of ['Reschedule', 'Reassign', 'Change service', 'Cancel appointment', 'Sync now', 'Save']) {
    expect(await page.getByRole('button', { name, exact: true }).count()).toBe(0);
  }
  await page.goto('/admin/conflicts');
  await page.getByRole('heading', { name: 'Conflicts' }).waitFor();
  expect(await page.getByRole('button', { name: /Keep/ }).count()).toBe(0);
  await page.goto('/admin/drift');
  await page.getByRole('heading', { name: 'Drift' }).waitFor();
  expect(await page.getByRole('button', { name: /Run check|Heal/ }).count()).toBe(0);
  await context.close();
});

test('the JavaScript the UI sends stays under 350 kB gzip, from files only (no inline script or style for the CSP to block)', async () => {
  const index = await (await fetch(`${ui.url}/admin/`)).text();
  expect(index).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>|<style/);
  const scripts = [...index.matchAll(/<script[^>]*\bsrc="([^"]+)"/g)].map((match) => match[1]);
  expect(scripts.length).toBeGreaterThan(0);
  let gzipped = 0;
  for (const script of scripts) {
    const response = await fetch(`${ui.url}${script}`);
    expect(response.headers.get('content-type')).toMatch(/javascript/);
    gzipped += gzipSync(Buffer.from(await response.arrayBuffer())).length;
  }
  expect(gzipped).toBeLessThan(350 * 1024);
});
