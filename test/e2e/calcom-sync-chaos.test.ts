import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RunningSandbox, SandboxFaults } from '#calcom-sandbox';
import { LEDGER_SERVICES, LEDGER_STAFF, SandboxLevers, type SandboxState, startSyncTestSandbox, WEBHOOK_SECRET } from '../support/calcom-sync-harness.js';
import { eventually } from '../support/eventually.js';
import { LedgerClient } from '../support/ledger-client.js';
import { BuiltLedger, freePort, type SpawnedLedger } from '../support/spawned-ledger.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

/**
 * Cal.com misbehaving in every way the sandbox can (30 % errors, timeouts whose change still lands, 429s, dropped and
 * duplicated webhooks) while the ledger, started as a user starts it, is SIGKILLed mid-run and started again.
 * Every appointment must end synced, and the sandbox's mutation log must show no Cal.com change made twice.
 */
const ADMIN = 'admin-token-for-chaos';
const CHAOS: Partial<SandboxFaults> = {
  apiErrorRate: 0.3,
  apiTimeoutRate: 0.15,
  apiTimeoutHangMs: 1_500,
  rateLimitPerMinute: 100_000,
  webhookDropRate: 0.2,
  webhookDuplicateRate: 0.2,
  seed: 4242,
};

type Change = 'none' | 'cancel' | 'reschedule' | 'reassign-rr' | 'reassign' | 'change-service';
interface Planned {
  appointmentId: string;
  serviceId: string;
  staffId: string;
  change: Change;
}

const PLAN: [Change, string, string, number][] = [
  ['none', 'consult', 'olivia', 4],
  ['cancel', 'consult', 'olivia', 4],
  ['reschedule', 'consult', 'olivia', 4],
  ['reassign-rr', 'team', 'hugo', 3],
  ['reassign', 'consult', 'olivia', 3],
  ['change-service', 'consult', 'olivia', 3],
  ['reschedule', 'team', 'rita', 3],
];

let database: TestDatabase;
let sandbox: RunningSandbox;
let levers: SandboxLevers;
let build: BuiltLedger;
let dataDir: string;
let ledger: SpawnedLedger;
let sandboxClockOffsetMs = 0;
/** The sandbox's time while its clock is stopped (see exhaustRateLimitWhileDown), else null. */
let sandboxClockStoppedAt: number | null = null;
let slot = 0;

/** Every appointment and every move gets an hour of its own, so no host is ever busy. */
const nextSlot = (): string => {
  const date = new Date(Date.now() + 20 * 86_400_000);
  date.setUTCHours(0, 0, 0, 0);
  return new Date(date.getTime() + slot++ * 3_600_000).toISOString();
};

beforeAll(async () => {
  [database, build, dataDir] = await Promise.all([createTestDatabase('calcom_chaos'), BuiltLedger.build(), mkdtemp(join(tmpdir(), 'ledger-chaos-'))]);
  sandbox = await startSyncTestSandbox({ now: () => new Date(sandboxClockStoppedAt ?? Date.now() + sandboxClockOffsetMs) });
  levers = new SandboxLevers(sandbox);
  // BuiltLedger.build() is a tsc of the whole project, ~15 s of CPU: 80 s at load 16 on 2 shared cores, no timer.
}, 180_000);

afterAll(async () => {
  await ledger?.stop();
  await sandbox?.close();
  await database?.drop();
  await build?.remove();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

/** What every ledger this file starts is given: its database, port, data folder and admin token. */
const ledgerEnv = (databaseUrl: string, port: number) => ({ DATABASE_URL: databaseUrl, PORT: String(port), HOST: '127.0.0.1', DATA_DIR: dataDir, API_TOKENS: `admin:${ADMIN}` });

async function startLedgerProcess(port: number): Promise<SpawnedLedger> {
  const spawned = build.start({
    ...ledgerEnv(database.url, port),
    CALCOM_API_URL: sandbox.url,
    CALCOM_API_KEY: sandbox.apiKey,
    CALCOM_WEBHOOK_SECRET: WEBHOOK_SECRET,
    CALCOM_TIMEOUT_MS: '400',
    CALCOM_RATE_LIMIT_PER_MINUTE: '100000',
    SYNC_CONCURRENCY: '8',
    SYNC_RETRY_INITIAL_MS: '100',
    SYNC_RETRY_MAX_MS: '1500',
    // With 45 % of calls failing, ten failed attempts in a row (the default budget) come up for one operation in a few
    // runs out of ten: this test is about ending synced with nothing done twice, the budget has tests of its own.
    CALCOM_OPERATION_MAX_ATTEMPTS: '60',
  });
  // 30 s as the other spawned-ledger tests allow: 20 s ran out for a start at load 17, and the process it left running
  // kept Jest from exiting.
  await spawned.ready(30_000).catch(async (error: unknown) => {
    await spawned.stop();
    throw error;
  });
  return spawned;
}

/** While the ledger is down, another client spends the key's window: the restarted ledger meets 429s with a short reset. */
async function exhaustRateLimitWhileDown(): Promise<number> {
  await levers.setFaults({ ...CHAOS, apiErrorRate: 0, apiTimeoutRate: 0, rateLimitPerMinute: 3 });
  let throttled = 0;
  for (let request = 0; request < 20 && throttled === 0; request++) {
    const response = await fetch(`${sandbox.url}/v2/me`, { headers: { authorization: `Bearer ${sandbox.apiKey}` } });
    if (response.status === 429) throttled++;
  }
  // The key is blocked for 60 s of the sandbox's time; move its clock so that about 8 s of the block are left, and
  // stop it there until the ledger is up again: under load its start-up alone outlasted 8 s of a running clock.
  sandboxClockOffsetMs += 52_000;
  sandboxClockStoppedAt = Date.now() + sandboxClockOffsetMs;
  await levers.setFaults(CHAOS);
  return throttled;
}

async function applyChange(admin: LedgerClient, { appointmentId, change }: Planned, extra: Record<string, unknown> = {}): Promise<void> {
  const path = `/appointments/${appointmentId}`;
  const answers: Record<Change, () => Promise<{ status: number }>> = {
    none: async () => ({ status: 200 }),
    cancel: () => admin.post(`${path}/cancel`, { reason: 'Chaos says no' }),
    reschedule: () => admin.post(`${path}/reschedule`, { startsAt: nextSlot(), ...extra }),
    'reassign-rr': () => admin.post(`${path}/reassign`, { staffId: 'rita', ...extra }),
    reassign: () => admin.post(`${path}/reassign`, { staffId: 'hugo', ...extra }),
    'change-service': () => admin.post(`${path}/change-service`, { serviceId: 'assessment', ...extra }),
  };
  expect((await answers[change]()).status).toBe(200);
}

test('under API errors, timeouts, 429s, lost and doubled webhooks and a SIGKILL, every appointment ends synced with no Cal.com change made twice', async () => {
  const port = await freePort();
  ledger = await startLedgerProcess(port);
  sandbox.setWebhookUrl(`${ledger.url}/webhooks/calcom`);
  const admin = new LedgerClient(ledger.url, ADMIN);
  for (const { id, body } of LEDGER_STAFF) expect((await admin.put(`/staff/${id}`, body)).status).toBe(200);
  for (const { id, body } of LEDGER_SERVICES) expect((await admin.put(`/services/${id}`, body)).status).toBe(200);
  await levers.setFaults(CHAOS);

  const planned: Planned[] = PLAN.flatMap(([change, serviceId, staffId, count]) =>
    Array.from({ length: count }, () => ({ appointmentId: randomUUID(), serviceId, staffId, change })),
  );
  for (const { appointmentId, serviceId, staffId } of planned) {
    const customer = { name: 'Chaos Client', email: `chaos-${appointmentId.slice(0, 8)}@example.com`, timeZone: 'Europe/Berlin' };
    // force: this test is about the sync under faults; a slot check would meet the injected faults first
    // (calcom-slot-check.test.ts covers the check).
    expect((await admin.post('/appointments', { appointmentId, serviceId, staffId, startsAt: nextSlot(), customer, force: true })).status).toBe(201);
  }
  const [early, late] = [planned.filter((_, index) => index % 2 === 0), planned.filter((_, index) => index % 2 === 1)];
  for (const appointment of early) await applyChange(admin, appointment, { force: true });

  // Mid-run: Cal.com calls are under way (and some retrying) when the process is killed.
  await eventually(async () => expect((await levers.state()).mutations.length).toBeGreaterThanOrEqual(12), 20_000);
  await ledger.kill();
  const mutationsAtKill = (await levers.state()).mutations.length;
  const throttledWhileDown = await exhaustRateLimitWhileDown();
  ledger = await startLedgerProcess(port);
  sandboxClockOffsetMs = sandboxClockStoppedAt! - Date.now();
  sandboxClockStoppedAt = null;
  const again = new LedgerClient(ledger.url, ADMIN);
  // force: the restarted ledger's first Cal.com calls are the sync's (a slot check would meet the 429 instead).
  for (const appointment of late) await applyChange(again, appointment, { force: true });

  const views = await eventually(
    async () => {
      const all = await Promise.all(planned.map(async ({ appointmentId }) => (await again.get(`/appointments/${appointmentId}`)).body));
      const behind = all.filter((view) => view.calcom?.syncStatus !== 'synced');
      expect(behind.map((view) => `${view.appointmentId}: ${JSON.stringify(view.calcom)}`)).toEqual([]);
      return all;
    },
    45_000,
    250,
  );

  const state = await levers.state();
  const duplicates = findDuplicates(state, planned);
  const figures = await faultFigures(again, planned, state, { mutationsAtKill, throttledWhileDown });
  console.log(`calcom chaos figures: ${JSON.stringify(figures)}`);
  expect(duplicates).toEqual([]);
  expect(figures.failures.CALCOM_SERVER_ERROR ?? 0).toBeGreaterThan(0);
  expect(figures.failures.CALCOM_TIMEOUT ?? 0).toBeGreaterThan(0);
  expect(figures.failures.CALCOM_RATE_LIMITED ?? 0).toBeGreaterThan(0);
  expect(figures.shortestWaitAfter429Ms).toBeGreaterThanOrEqual(900);
  expect(figures.webhooksDropped).toBeGreaterThan(0);
  for (const view of views) expectCalcomMatches(view, state);
}, 120_000);

/** The Cal.com booking the ledger calls current is the appointment as the ledger has it; the chain is Cal.com's. */
function expectCalcomMatches(view: any, state: SandboxState): void {
  const { calcom } = view;
  const current = state.bookings.find((booking) => booking.uid === calcom.bookingUid);
  if (view.status === 'cancelled') {
    if (current) expect(current.status).toBe('cancelled');
    return;
  }
  const staff = LEDGER_STAFF.find(({ id }) => id === view.staffId)!.body;
  const service = LEDGER_SERVICES.find(({ id }) => id === view.serviceId)!.body;
  expect({ uid: current?.uid, status: current?.status, start: current && Date.parse(current.start), eventTypeId: current?.eventTypeId, host: current?.hosts[0].id }).toEqual({
    uid: calcom.bookingUid,
    status: 'accepted',
    start: Date.parse(view.startsAt),
    eventTypeId: service.calcomEventTypeIds[view.staffId],
    host: staff.calcomUserId,
  });
  expect(calcom.bookingUids).toEqual(chainOf(state, view.appointmentId));
}

/** The appointment's uids on Cal.com in the order they were made: its creates (by metadata) and their reschedules. */
function chainOf(state: SandboxState, appointmentId: string): string[] {
  const uids = new Set(state.bookings.filter((booking) => booking.metadata?.appointmentId === appointmentId).map(({ uid }) => uid));
  const made = state.mutations.filter((m) => m.op === 'create' || m.op === 'reschedule');
  for (const mutation of made) if (mutation.rescheduledFromUid && uids.has(mutation.rescheduledFromUid)) uids.add(mutation.uid);
  return made.filter((mutation) => uids.has(mutation.uid)).map(({ uid }) => uid);
}

/** The bookings a create made (a reschedule's new booking copies its metadata, so it is not one of them). */
function createdBookings(state: SandboxState) {
  const created = new Set(state.mutations.filter((m) => m.op === 'create').map((m) => m.uid));
  return state.bookings.filter((booking) => created.has(booking.uid));
}

/** Every way a mutation could have been made twice, from the sandbox's own record. Empty means none. */
function findDuplicates(state: SandboxState, planned: Planned[]): string[] {
  const problems: string[] = [];
  const count = (values: string[]) => values.reduce((counts, value) => counts.set(value, (counts.get(value) ?? 0) + 1), new Map<string, number>());
  const operationIds = count(createdBookings(state).map((booking) => (typeof booking.metadata?.operationId === 'string' ? booking.metadata.operationId : booking.uid)));
  for (const [operationId, times] of operationIds) if (times > 1) problems.push(`create ${operationId} landed ${times} times`);
  for (const [uid, times] of count(state.mutations.filter((m) => m.op === 'cancel').map((m) => m.uid))) if (times > 1) problems.push(`${uid} cancelled ${times} times`);
  for (const [uid, times] of count(state.mutations.flatMap((m) => (m.op === 'reschedule' && m.rescheduledFromUid ? [m.rescheduledFromUid] : []))))
    if (times > 1) problems.push(`${uid} rescheduled ${times} times`);
  for (const { appointmentId, change } of planned) {
    const uids = new Set(chainOf(state, appointmentId));
    const creates = createdBookings(state).filter((booking) => booking.metadata?.appointmentId === appointmentId).length;
    const maxCreates = change === 'reassign' || change === 'change-service' ? 2 : 1;
    if (creates > maxCreates) problems.push(`${appointmentId} (${change}): ${creates} creates, at most ${maxCreates} needed`);
    const active = state.bookings.filter((booking) => uids.has(booking.uid) && booking.status === 'accepted').length;
    if (active > (change === 'cancel' ? 0 : 1)) problems.push(`${appointmentId} (${change}): ${active} active bookings`);
    // A round-robin create may land on the other host (one reassign), and the reassign asked for is one more.
    const reassigns = state.mutations.filter((m) => m.op === 'reassign' && uids.has(m.uid)).length;
    const maxReassigns = change === 'reassign-rr' ? 2 : planned.find((p) => p.appointmentId === appointmentId)!.serviceId === 'team' ? 1 : 0;
    if (reassigns > maxReassigns) problems.push(`${appointmentId} (${change}): ${reassigns} reassigns, at most ${maxReassigns} needed`);
  }
  return problems;
}

async function faultFigures(admin: LedgerClient, planned: Planned[], state: SandboxState, extra: Record<string, number>) {
  const failures: Record<string, number> = {};
  let lookedUpAndFoundDone = 0;
  /** For each 429: how long the sync waited before its next call for that appointment (Cal.com's reset is ≥ 1 s). */
  const rateLimitWaitsMs: number[] = [];
  for (const { appointmentId } of planned) {
    const { body } = await admin.get(`/appointments/${appointmentId}/history`);
    const events = body.events as { type: string; data: any; recordedAt: string }[];
    events.forEach((event, index) => {
      if (event.type === 'CalcomOperationFailed') failures[event.data.error.code] = (failures[event.data.error.code] ?? 0) + 1;
      if (event.type === 'CalcomOperationSucceeded' && event.data.alreadyDone) lookedUpAndFoundDone++;
      if (event.type === 'CalcomOperationFailed' && event.data.error.code === 'CALCOM_RATE_LIMITED') {
        const next = events.slice(index + 1).find(({ type }) => type.startsWith('CalcomOperation'));
        if (next) rateLimitWaitsMs.push(Date.parse(next.recordedAt) - Date.parse(event.recordedAt));
      }
    });
  }
  return {
    appointments: planned.length,
    mutations: state.mutations.filter((m) => m.via === 'api').length,
    failures,
    lookedUpAndFoundDone,
    shortestWaitAfter429Ms: Math.min(...rateLimitWaitsMs),
    webhooksDropped: state.webhooks.filter((w) => w.status === null).length,
    webhooksSent: state.webhooks.length,
    ...extra,
  };
}

test('`npm start` without CALCOM_API_KEY runs the sandbox in-process, says so, syncs with it and takes its signed webhooks', async () => {
  const defaultDatabase = await createTestDatabase('calcom_default_run');
  const [port, sandboxPort] = [await freePort(), await freePort()];
  const plain = build.start({
    ...ledgerEnv(defaultDatabase.url, port),
    SANDBOX_PORT: String(sandboxPort),
  });
  try {
    await plain.ready(30_000);
    const sandboxUrl = `http://127.0.0.1:${sandboxPort}`;
    expect(plain.log).toContain(`No CALCOM_API_KEY: the Cal.com sandbox runs in-process at ${sandboxUrl}`);
    const admin = new LedgerClient(plain.url, ADMIN);
    await admin.put('/staff/olivia', { name: 'Olivia', email: 'olivia@salon.example', calcomUserId: 1 });
    await admin.put('/services/consult', { name: 'Consultation', durationMinutes: 30, calcomEventTypeIds: { olivia: 101 } });
    const appointmentId = randomUUID();
    const customer = { name: 'Dee', email: 'dee@example.com', timeZone: 'UTC' };
    expect((await admin.post('/appointments', { appointmentId, serviceId: 'consult', staffId: 'olivia', startsAt: nextSlot(), customer })).status).toBe(201);
    await eventually(async () => expect((await admin.get(`/appointments/${appointmentId}`)).body.calcom.syncStatus).toBe('synced'), 10_000);
    const state = (await (await fetch(`${sandboxUrl}/_sandbox/state`)).json()) as SandboxState;
    expect(state.bookings).toEqual([expect.objectContaining({ metadata: expect.objectContaining({ appointmentId }) })]);
    // The webhook about it reached the ledger's own intake and passed its signature check (a 2xx).
    expect(state.webhooks).toEqual([expect.objectContaining({ triggerEvent: 'BOOKING_CREATED', delivered: true })]);
  } finally {
    await plain.stop();
    await defaultDatabase.drop();
  }
}, 60_000);
