import type { RunningLedger } from '#ledger/ledger';
import { randomUUID } from 'node:crypto';
import { appointmentWhen, startLedgerWithSandbox } from '../../support/calcom-ledger.js';
import { sandboxCustomer } from '../../support/calcom-sandbox-customer.js';
import { LedgerClient } from '../../support/ledger-client.js';
import { ADMIN_TOKEN, TEST_ADMIN, TEST_AUDITOR } from '../../support/ledger-for-tests.js';
import { createTestDatabase, type TestDatabase } from '../../support/test-database.js';
import { ensureAdminUiBuilt } from './admin-ui-build.js';
import { launchBrowser } from './browser.js';
import type { Browser } from 'playwright-core';

export const SALON_TIME_ZONE = 'Europe/Berlin';

/**
 * What the browser tests run against: the built UI served by the ledger as `npm start` serves it, the Cal.com
 * sandbox in-process (its webhooks to the ledger), an admin and an auditor who sign in, the sandbox's hosts and event
 * types in the catalog, and one headless Chromium. Started once per test file.
 */
export function adminUiForFile(prefix: string) {
  let database: TestDatabase | undefined;
  let ledger: RunningLedger | undefined;
  let browser: Browser | undefined;
  let sandboxUrl = '';
  beforeAll(async () => {
    await ensureAdminUiBuilt();
    database = await createTestDatabase(prefix);
    ({ ledger, sandboxUrl } = await startLedgerWithSandbox(database.url, { users: [TEST_ADMIN, TEST_AUDITOR], businessTimeZone: SALON_TIME_ZONE }));
    browser = await launchBrowser();
  }, 180_000);
  afterAll(async () => {
    await browser?.close();
    await ledger?.close();
    await database?.drop();
  });
  const running = () => {
    if (!ledger || !browser) throw new Error('started in beforeAll');
    return { ledger, browser };
  };
  return {
    get url() {
      return running().ledger.url;
    },
    get browser() {
      return running().browser;
    },
    get admin() {
      return new LedgerClient(running().ledger.url, ADMIN_TOKEN);
    },
    get sandboxUrl() {
      return sandboxUrl;
    },
    get customer() {
      return sandboxCustomer(sandboxUrl);
    },
    /** An appointment scheduled through the API, once the sync has made its Cal.com booking (`uid`). */
    async scheduledAndSynced(serviceId: string, staffId: string, startsAt: string, name: string) {
      const admin = new LedgerClient(running().ledger.url, ADMIN_TOKEN);
      const appointmentId = randomUUID();
      const customer = { name, email: `${appointmentId.slice(0, 8)}@example.com`, timeZone: 'Europe/Berlin' };
      const created = await admin.post('/appointments', { appointmentId, serviceId, staffId, startsAt, customer });
      expect(created.status).toBe(201);
      const synced = await appointmentWhen(admin, appointmentId, (appointment) => expect(appointment.calcom?.syncStatus).toBe('synced'), 15_000);
      return { appointmentId, uid: synced.calcom.bookingUid as string, startsAt };
    },
  };
}
