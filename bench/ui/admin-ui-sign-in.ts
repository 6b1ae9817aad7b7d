import type { Page } from 'playwright-core';

/** Signs in through the admin UI's own form, as a person does; shared by the browser tests and the UI bench. */
export async function signIn(page: Page, email: string, password: string): Promise<void> {
  await page.goto('/admin/');
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('navigation', { name: 'Main navigation' }).waitFor();
}
