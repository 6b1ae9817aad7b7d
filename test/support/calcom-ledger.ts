import type { RunningLedger } from '../../apps/ledger/src/ledger.js';
import type { CalcomSettings } from '../../apps/ledger/src/config.js';
import { eventually } from './eventually.js';
import { LedgerClient } from './ledger-client.js';
import { ADMIN_TOKEN, startTestLedger, type TestLedgerOverrides } from './ledger-for-tests.js';
import { sandboxCustomer } from './calcom-sandbox-customer.js';
import { createTestDatabase, type TestDatabase } from './test-database.js';

/**
 * Cal.com settings that keep tests quick: no rate limit of the ledger's own to wait on, short retries. Without an
 * `apiKey` the ledger runs the sandbox in-process (`sandboxPort: 0`, any free port).
 */
export function calcomSettingsForTests(apiUrl: string, apiKey: string | null): CalcomSettings {
  return {
    apiUrl,
    apiKey,
    timeoutMs: 5_000,
    rateLimitPerMinute: 100_000,
    syncConcurrency: 8,
    retryInitialDelayMs: 50,
    retryMaxDelayMs: 500,
    sandboxPort: 0,
  };
}

/**
 * The ledger as `npm start` runs it without a Cal.com key: the sandbox in-process, webhooks pointed at the ledger's
 * own intake with a shared secret, the outbound sync running. The catalog maps the sandbox's hosts and event types.
 */
export async function startLedgerWithSandbox(databaseUrl: string, overrides: TestLedgerOverrides = {}) {
  const ledger = await startTestLedger(databaseUrl, {
    calcom: calcomSettingsForTests('https://api.cal.com', null),
    ...overrides,
  });
  const sandboxUrl = ledger.calcomSync?.sandbox?.url;
  if (!sandboxUrl) throw new Error('the ledger did not start the Cal.com sandbox');
  const admin = new LedgerClient(ledger.url, ADMIN_TOKEN);
  await admin.put('/staff/olivia', { name: 'Olivia', email: 'olivia@sandbox.example', calcomUserId: 1 });
  await admin.put('/staff/hugo', { name: 'Hugo', email: 'hugo@sandbox.example', calcomUserId: 2 });
  await admin.put('/staff/rita', { name: 'Rita', email: 'rita@sandbox.example', calcomUserId: 3 });
  await admin.put('/services/consultation', { name: 'Consultation', durationMinutes: 30, calcomEventTypeIds: { olivia: 101 } });
  await admin.put('/services/assessment', { name: 'Assessment', durationMinutes: 60, calcomEventTypeIds: { olivia: 102 } });
  await admin.put('/services/team-session', { name: 'Team session', durationMinutes: 45, calcomEventTypeIds: { hugo: 103, rita: 103 } });
  return { ledger, admin, customer: sandboxCustomer(sandboxUrl), sandboxUrl };
}

export type LedgerWithSandbox = Awaited<ReturnType<typeof startLedgerWithSandbox>> & { ledger: RunningLedger };

/** One ledger with its sandbox for a whole test file: started before the first test, faults cleared after each, closed after the last. */
export function ledgerWithSandboxForFile(prefix: string, overrides: TestLedgerOverrides = {}) {
  let database: TestDatabase | undefined;
  let started: LedgerWithSandbox | undefined;
  beforeAll(async () => {
    database = await createTestDatabase(prefix);
    started = await startLedgerWithSandbox(database.url, overrides);
  });
  afterEach(async () => {
    await started?.customer.faults({});
  });
  afterAll(async () => {
    await started?.ledger.close();
    await database?.drop();
  });
  const running = (): LedgerWithSandbox => {
    if (!started) throw new Error('the ledger starts in beforeAll');
    return started;
  };
  return {
    get admin() {
      return running().admin;
    },
    get customer() {
      return running().customer;
    },
  };
}

/** The fact the ledger stored for a booking uid and trigger, once the translator has given it an outcome (this one, if named). */
export function factFor(admin: LedgerClient, bookingUid: string, triggerEvent: string, outcome?: string, timeoutMs = 10_000) {
  return eventually(async () => {
    const { body } = await admin.get('/webhooks/calcom/facts?limit=500');
    const fact = body.items.find(
      (item: { bookingUid: string; triggerEvent: string; outcome: string | null }) => item.bookingUid === bookingUid && item.triggerEvent === triggerEvent && item.outcome,
    );
    expect(fact).toBeTruthy();
    if (outcome) expect(fact.outcome).toBe(outcome);
    return fact as { factStream: string; factId: string; outcome: string; appointmentId: string | null; reason: string };
  }, timeoutMs);
}

/** Polls the appointment until `check` passes; returns it. */
export function appointmentWhen(admin: LedgerClient, appointmentId: string, check: (appointment: any) => void, timeoutMs = 10_000) {
  return eventually(async () => {
    const { status, body } = await admin.get(`/appointments/${appointmentId}`);
    expect(status).toBe(200);
    check(body);
    return body;
  }, timeoutMs);
}
