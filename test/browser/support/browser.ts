import chromium from '@sparticuz/chromium';
import { chromium as playwright, type Browser, type BrowserContext, type Page } from 'playwright-core';

/**
 * @sparticuz/chromium's flags are made for AWS Lambda: one process (closing the last page ends the browser) and web
 * security off. A browser test wants a normal browser, same-origin rules included.
 */
const LAMBDA_ONLY = new Set(['--single-process', '--disable-web-security', '--allow-running-insecure-content']);

/** A real headless Chromium that arrives with `npm ci` (@sparticuz/chromium); CHROMIUM_PATH may name another. */
export async function launchBrowser(): Promise<Browser> {
  return playwright.launch({
    executablePath: process.env.CHROMIUM_PATH ?? (await chromium.executablePath()),
    args: chromium.args.filter((arg) => !LAMBDA_ONLY.has(arg)),
    headless: true,
  });
}

/**
 * A person at a desk: an English-speaking browser in New York (not the salon's time zone, so a time drawn in the
 * browser's zone instead of the salon's would show). Console errors and CSP violations fail the test that checks them.
 */
export async function openDesk(browser: Browser, baseUrl: string, options: { locale?: string } = {}): Promise<{ context: BrowserContext; page: Page; problems: string[] }> {
  const context = await browser.newContext({ baseURL: baseUrl, locale: options.locale ?? 'en-GB', timezoneId: 'America/New_York', viewport: { width: 1400, height: 1000 } });
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(message.text());
  });
  page.on('pageerror', (error) => problems.push(error.message));
  return { context, page, problems };
}

export async function signIn(page: Page, email: string, password: string): Promise<void> {
  await page.goto('/admin/');
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('navigation', { name: 'Main navigation' }).waitFor();
}
