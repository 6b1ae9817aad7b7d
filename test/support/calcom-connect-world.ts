import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { startSandbox, type RunningSandbox, type SandboxCatalog } from '#calcom-sandbox';
import { defaultDriftSettings } from '../../apps/ledger/src/drift/drift.config.js';
import type { RunningLedger } from '../../apps/ledger/src/ledger.js';
import { calcomSettingsForTests } from './calcom-ledger.js';
import { sandboxCustomer } from './calcom-sandbox-customer.js';
import { LedgerClient } from './ledger-client.js';
import { ADMIN_TOKEN, startTestLedger, type TestLedgerOverrides } from './ledger-for-tests.js';
import type { BuiltLedger } from './spawned-ledger.js';
import { createTestDatabase, type TestDatabase } from './test-database.js';

/**
 * The salon of issue 14's "Done when": 3 hosts, 5 event types (two personal "Haircut, 30 min" of different hosts that
 * make one service, one round-robin team type), and a sixth, retired after one customer booked it (that booking
 * cannot be mapped).
 */
export const SALON_CATALOG: SandboxCatalog = {
  users: [
    { id: 1, name: 'Olivia Owner', email: 'olivia@salon.example', username: 'olivia', timeZone: 'Europe/London' },
    { id: 2, name: 'Hugo Host', email: 'hugo@salon.example', username: 'hugo', timeZone: 'Europe/Paris' },
    { id: 3, name: 'Rita Host', email: 'rita@salon.example', username: 'rita', timeZone: 'Europe/Berlin' },
  ],
  eventTypes: [
    { id: 101, slug: 'haircut', title: 'Haircut', lengthInMinutes: 30, ownerId: 1, schedulingType: null },
    { id: 102, slug: 'haircut', title: 'Haircut', lengthInMinutes: 30, ownerId: 2, schedulingType: null },
    { id: 103, slug: 'colour', title: 'Colour', lengthInMinutes: 60, ownerId: 3, schedulingType: null },
    { id: 104, slug: 'beard-trim', title: 'Beard trim', lengthInMinutes: 15, ownerId: 1, schedulingType: null },
    { id: 105, slug: 'team-session', title: 'Team session', lengthInMinutes: 45, hosts: [2, 3], schedulingType: 'ROUND_ROBIN', teamId: 7 },
  ],
};
const RETIRED = { id: 106, slug: 'perm', title: 'Perm', lengthInMinutes: 90, ownerId: 3, schedulingType: null };

export const BOOKINGS_IN_ACCOUNT = 300;

/** A sandbox holding the salon's 300 bookings; `unmappedUid` is the one on the retired event type. */
export async function startSalonSandbox(): Promise<{ sandbox: RunningSandbox; unmappedUid: string; customer: ReturnType<typeof sandboxCustomer> }> {
  const sandbox = await startSandbox({ catalog: { ...SALON_CATALOG, eventTypes: [...SALON_CATALOG.eventTypes, RETIRED] } });
  const customer = sandboxCustomer(sandbox.url);
  const lever = async (method: string, path: string, body: unknown) => {
    const response = await fetch(`${sandbox.url}/_sandbox${path}`, { method, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    if (!response.ok) throw new Error(`sandbox ${path}: ${response.status} ${await response.text()}`);
    return response.json();
  };
  await lever('POST', '/bookings/fill', { count: BOOKINGS_IN_ACCOUNT - 1, eventTypeIds: [101, 102, 103, 104, 105] });
  const unmapped = await customer.book(106, lateEvening(3), { name: 'Una Mapped', email: 'una@example.com', timeZone: 'Europe/Berlin' });
  await lever('PUT', '/catalog', SALON_CATALOG);
  return { sandbox, unmappedUid: unmapped.uid, customer };
}

/** 22:00 UTC `days` from today: the fill lever never books after 16:00 UTC, so these never meet its bookings. */
export function lateEvening(days: number, minutes = 0): string {
  const now = new Date();
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() + days, 22, minutes)).toISOString();
}

/**
 * A ledger on its own database (or `existing`'s, on its port), syncing with the sandbox as with a real Cal.com account
 * (a key, no shared secret); `overrides` add to that (users who sign in, a time zone).
 */
export async function startConnectableLedger(
  sandbox: RunningSandbox,
  prefix: string,
  { existing = null, overrides = {} }: { existing?: { database: TestDatabase; port: number } | null; overrides?: TestLedgerOverrides } = {},
): Promise<{ ledger: RunningLedger; database: TestDatabase; admin: LedgerClient }> {
  const database = existing?.database ?? (await createTestDatabase(prefix));
  const ledger = await startTestLedger(database.url, {
    port: existing?.port ?? 0,
    calcom: calcomSettingsForTests(sandbox.url, sandbox.apiKey),
    calcomWebhookSecret: null,
    drift: { ...defaultDriftSettings, intervalMs: 0 },
    ...overrides,
  });
  return { ledger, database, admin: new LedgerClient(ledger.url, ADMIN_TOKEN) };
}

/**
 * The salon's catalog as connect maps it: each host a staff member; the two hosts' "Haircut, 30 min" one service,
 * the round-robin team type one service with both its hosts; the retired event type nothing.
 */
export async function expectSalonCatalogMapped(admin: LedgerClient): Promise<void> {
  const staff = (await admin.get('/staff')).body.items.map(({ staffId, calcomUserId }: { staffId: string; calcomUserId: number }) => [staffId, calcomUserId]);
  expect(staff).toEqual([
    ['hugo', 2],
    ['olivia', 1],
    ['rita', 3],
  ]);
  const services = (await admin.get('/services')).body.items.map(({ serviceId, calcomEventTypeIds }: { serviceId: string; calcomEventTypeIds: object }) => [
    serviceId,
    calcomEventTypeIds,
  ]);
  expect(services).toEqual([
    ['beard-trim-15', { olivia: 104 }],
    ['colour-60', { rita: 103 }],
    ['haircut-30', { olivia: 101, hugo: 102 }],
    ['team-session-45', { hugo: 105, rita: 105 }],
  ]);
}

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** `npm run calcom:connect` as built, spawned against a running ledger; `onProgress` sees stderr as it comes. */
export function connectCli(
  build: BuiltLedger,
  ledgerUrl: string,
  args: string[],
  onProgress?: (stderr: string, kill: () => void) => void,
  env: Record<string, string> = { LEDGER_URL: ledgerUrl, LEDGER_TOKEN: ADMIN_TOKEN },
): Promise<CliRun> {
  const child = spawn(process.execPath, [join(build.outDir, 'apps/ledger/src/calcom-connect/calcom-connect.main.js'), ...args], {
    env: { PATH: process.env.PATH ?? '', PUBLIC_URL: ledgerUrl, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
    onProgress?.(stderr, () => child.kill('SIGKILL'));
  });
  return new Promise((resolve) => child.once('exit', (code) => resolve({ code, stdout, stderr })));
}

/** Every appointment of the ledger with its uid chain, through the API (paged). */
export async function appointmentsWithChains(admin: LedgerClient): Promise<{ appointmentId: string; status: string; bookingUids: string[]; syncStatus: string }[]> {
  const ids: string[] = [];
  let cursor: string | null = null;
  do {
    const { body }: { body: { items: { appointmentId: string }[]; nextCursor: string | null } } = await admin.get(
      `/appointments?limit=200${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
    );
    ids.push(...body.items.map((item) => item.appointmentId));
    cursor = body.nextCursor;
  } while (cursor);
  const found = [];
  for (const appointmentId of ids) {
    const { body } = await admin.get(`/appointments/${appointmentId}`);
    found.push({ appointmentId, status: body.status, bookingUids: body.calcom.bookingUids as string[], syncStatus: body.calcom.syncStatus as string });
  }
  return found;
}
