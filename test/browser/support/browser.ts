import type { Browser, BrowserContext, Page } from 'playwright-core';

/** Shared with the UI section of `npm run bench`, so both test and measure the same browser and sign-in. */
export { signIn } from '#bench/ui/admin-ui-sign-in';
export { launchBrowser } from '#bench/ui/headless-chromium';

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
