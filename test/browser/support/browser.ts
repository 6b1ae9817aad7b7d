import type { Browser, BrowserContext, Page } from 'playwright-core';

import { signIn } from '#bench/ui/admin-ui-sign-in';
import { TEST_ADMIN, type TestUser } from '../../support/ledger-for-tests.js';

/** Shared with the UI section of `npm run bench`, so both test and measure the same browser and sign-in. */
export { signIn };
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

type Desk = Awaited<ReturnType<typeof openDesk>>;

/**
 * One desk for a whole test file, signed in before its tests (as the test admin unless told otherwise) and closed
 * after them. `where()` is read when the file starts, after the ledger and browser are up.
 */
export function signedInDeskForFile(where: () => { browser: Browser; url: string }, user: TestUser = TEST_ADMIN): Desk {
  let desk: Desk | undefined;
  beforeAll(async () => {
    const { browser, url } = where();
    desk = await openDesk(browser, url);
    await signIn(desk.page, user.email, user.password);
  }, 60_000);
  afterAll(async () => {
    await desk?.context.close();
  });
  const opened = (): Desk => {
    if (!desk) throw new Error('the desk opens in beforeAll');
    return desk;
  };
  return {
    get context() {
      return opened().context;
    },
    get page() {
      return opened().page;
    },
    get problems() {
      return opened().problems;
    },
  };
}
