import { startSandbox, type RunningSandbox, type SandboxBehaviours, type SandboxEventType } from '#calcom-sandbox';
import type { CalcomSettings, LedgerConfig } from '../../apps/ledger/src/config.js';
import type { RunningLedger, StartLedgerOptions } from '../../apps/ledger/src/ledger.js';
import { CalcomAnsweringProxy } from './calcom-answering-proxy.js';
import { calcomSettingsFor, LEDGER_SERVICES, LEDGER_STAFF, type LedgerServiceSeed, SandboxLevers, SYNC_TEST_CATALOG, WEBHOOK_SECRET } from './calcom-sync-harness.js';
import { eventually } from './eventually.js';
import { LedgerClient } from './ledger-client.js';
import { ADMIN_TOKEN, AUDITOR_TOKEN, startTestLedger } from './ledger-for-tests.js';
import { createTestDatabase, type TestDatabase } from './test-database.js';

export interface CalcomSyncSetupOptions {
  /** The sync catalog's event types as this file needs them (one changed, one added). */
  eventTypes?: (eventTypes: SandboxEventType[]) => SandboxEventType[];
  /** The sandbox's version behaviours from the start (behaviours.ts). */
  behaviours?: Partial<SandboxBehaviours>;
  /** Put a CalcomAnsweringProxy between the ledger and the sandbox. */
  proxy?: boolean;
  calcom?: Partial<CalcomSettings>;
  ledger?: Partial<LedgerConfig>;
  /** The clock of both the sandbox and the ledger. */
  now?: () => Date;
  logger?: StartLedgerOptions['logger'];
  /** The ledger's services; its staff are always LEDGER_STAFF. */
  services?: LedgerServiceSeed[];
}

/** A test database, the sandbox (behind a proxy if asked), a ledger syncing with it, and the sync catalog on both sides. */
export interface CalcomSyncSetup {
  database: TestDatabase;
  sandbox: RunningSandbox;
  levers: SandboxLevers;
  /** Present when the options asked for one. */
  proxy: CalcomAnsweringProxy | undefined;
  ledger: RunningLedger;
  admin: LedgerClient;
  auditor: LedgerClient;
  close(): Promise<void>;
}

/** Starts everything a sync test needs; `close()` (in afterAll) stops it in reverse order. */
export async function startCalcomSyncSetup(databaseName: string, options: CalcomSyncSetupOptions = {}): Promise<CalcomSyncSetup> {
  const started: Array<() => Promise<void>> = [];
  const close = async () => {
    for (const stop of started.reverse()) await stop();
  };
  try {
    const database = await createTestDatabase(databaseName);
    started.push(() => database.drop());
    const eventTypes = options.eventTypes?.(SYNC_TEST_CATALOG.eventTypes) ?? SYNC_TEST_CATALOG.eventTypes;
    const sandbox = await startSandbox({ port: 0, catalog: { ...SYNC_TEST_CATALOG, eventTypes }, webhookSecret: WEBHOOK_SECRET, behaviours: options.behaviours, now: options.now });
    started.push(() => sandbox.close());
    const proxy = options.proxy ? await CalcomAnsweringProxy.start(sandbox.url) : undefined;
    if (proxy) started.push(() => proxy.close());
    const calcom = calcomSettingsFor(sandbox, { ...(proxy && { apiUrl: proxy.url }), ...options.calcom });
    const ledger = await startTestLedger(database.url, { calcom, calcomWebhookSecret: WEBHOOK_SECRET, ...options.ledger }, { logger: options.logger ?? false, now: options.now });
    started.push(() => ledger.close());
    sandbox.setWebhookUrl(`${ledger.url}/webhooks/calcom`);
    const admin = new LedgerClient(ledger.url, ADMIN_TOKEN);
    for (const { id, body } of LEDGER_STAFF) expect((await admin.put(`/staff/${id}`, body)).status).toBe(200);
    for (const { id, body } of options.services ?? LEDGER_SERVICES) expect((await admin.put(`/services/${id}`, body)).status).toBe(200);
    return { database, sandbox, levers: new SandboxLevers(sandbox), proxy, ledger, admin, auditor: new LedgerClient(ledger.url, AUDITOR_TOKEN), close };
  } catch (error) {
    await close();
    throw error;
  }
}

/** The appointment's `calcom` block once the sync has settled it with no error left. */
export function syncedCalcomBlock(admin: LedgerClient, appointmentId: string, timeoutMs = 15_000) {
  return eventually(async () => {
    const { body } = await admin.get(`/appointments/${appointmentId}`);
    expect(body.calcom).toMatchObject({ syncStatus: 'synced', lastError: null });
    return body.calcom;
  }, timeoutMs);
}

/** Start times a day apart from `firstDay` days ahead, at `hour` UTC, so no two appointments of a file meet. */
export function dailySlots(firstDay: number, defaultHour = 10): (hour?: number) => string {
  let day = firstDay;
  return (hour = defaultHour) => {
    const date = new Date();
    date.setUTCDate(date.getUTCDate() + day++);
    date.setUTCHours(hour, 0, 0, 0);
    return date.toISOString();
  };
}
