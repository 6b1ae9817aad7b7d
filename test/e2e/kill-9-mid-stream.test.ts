import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SandboxState } from '../support/calcom-sync-harness.js';
import { eventually } from '../support/eventually.js';
import { LedgerClient } from '../support/ledger-client.js';
import { BuiltLedger, freePort, type SpawnedLedger } from '../support/spawned-ledger.js';
import { SpawnedSandbox } from '../support/spawned-sandbox.js';

/**
 * The proof: the built ledger on its embedded PostgreSQL, synced with a Cal.com sandbox running as its own
 * process, is killed with SIGKILL in the middle of a stream of commands and started again on the same DATA_DIR.
 * Every acknowledged command is there, every appointment ends synced, and Cal.com holds no booking twice.
 */
const ADMIN = 'admin-token-for-kill-9-stream';
const WEBHOOK_SECRET = 'whsec-for-kill-9-stream';
const APPOINTMENTS = 30;
const LANES = 4;

type Command = { kind: 'create'; startsAt: string } | { kind: 'reschedule'; startsAt: string } | { kind: 'cancel' };
interface Outcome {
  acknowledged: Command[];
  /** Sent when the process died: it may or may not have taken effect. */
  cutOff: Command | null;
}

let build: BuiltLedger;
let sandbox: SpawnedSandbox;
let ledger: SpawnedLedger | undefined;
let parent: string;
let ledgerPort: number;

let slot = 0;
/** Every create and every move gets an hour of its own, so no calendar is ever busy. */
const nextSlot = (): string => {
  const day = new Date(Date.now() + 30 * 86_400_000);
  day.setUTCHours(0, 0, 0, 0);
  return new Date(day.getTime() + slot++ * 3_600_000).toISOString();
};

beforeAll(async () => {
  let sandboxPort: number;
  [build, parent, ledgerPort, sandboxPort] = await Promise.all([BuiltLedger.build(), mkdtemp(join(tmpdir(), 'ledger-kill-9-stream-')), freePort(), freePort()]);
  sandbox = await SpawnedSandbox.start(build, { port: sandboxPort, webhookUrl: `http://127.0.0.1:${ledgerPort}/webhooks/calcom`, webhookSecret: WEBHOOK_SECRET });
  await sandbox.setFaults({ rateLimitPerMinute: 100_000 });
  // BuiltLedger.build() is a tsc of the whole project, ~15 s of CPU: 80 s at load 16 on 2 shared cores, no timer.
}, 180_000);

afterAll(async () => {
  await ledger?.stop();
  await sandbox?.stop();
  await build?.remove();
  if (parent) await rm(parent, { recursive: true, force: true });
});

async function startLedger(): Promise<LedgerClient> {
  ledger = build.start({
    DATA_DIR: join(parent, 'data'),
    PORT: String(ledgerPort),
    HOST: '127.0.0.1',
    API_TOKENS: `admin:${ADMIN}`,
    CALCOM_API_URL: sandbox.url,
    CALCOM_API_KEY: sandbox.apiKey,
    CALCOM_WEBHOOK_SECRET: WEBHOOK_SECRET,
    CALCOM_TIMEOUT_MS: '2000',
    CALCOM_RATE_LIMIT_PER_MINUTE: '100000',
    SYNC_RETRY_INITIAL_MS: '100',
    SYNC_RETRY_MAX_MS: '1000',
  });
  await ledger.ready(30_000);
  return new LedgerClient(ledger.url, ADMIN);
}

/** Appointment i: created, then by turns left alone, moved, cancelled, moved and cancelled, moved twice. */
function planFor(index: number): Command[] {
  const create: Command = { kind: 'create', startsAt: nextSlot() };
  const move = (): Command => ({ kind: 'reschedule', startsAt: nextSlot() });
  const cancel: Command = { kind: 'cancel' };
  return [[create], [create, move()], [create, cancel], [create, move(), cancel], [create, move(), move()]][index % 5]!;
}

function send(admin: LedgerClient, appointmentId: string, command: Command) {
  if (command.kind === 'create') {
    const customer = { name: 'Stream Client', email: `stream-${appointmentId.slice(0, 8)}@example.com`, timeZone: 'Europe/Berlin' };
    return admin.post('/appointments', { appointmentId, serviceId: 'consult', staffId: 'olivia', startsAt: command.startsAt, customer });
  }
  if (command.kind === 'reschedule') return admin.post(`/appointments/${appointmentId}/reschedule`, { startsAt: command.startsAt });
  return admin.post(`/appointments/${appointmentId}/cancel`, { reason: 'Stream says no' });
}

/** The appointment as a run of commands leaves it. */
function fold(commands: Command[]): { status: string; startsAt: string } | null {
  let state: { status: string; startsAt: string } | null = null;
  for (const command of commands) {
    if (command.kind === 'create') state = { status: 'scheduled', startsAt: command.startsAt };
    else if (command.kind === 'reschedule') state = { ...state!, startsAt: command.startsAt };
    else state = { ...state!, status: 'cancelled' };
  }
  return state;
}

test('kill -9 mid-stream, restart on the same DATA_DIR: every acknowledged command kept, every appointment synced, no Cal.com booking twice', async () => {
  let admin = await startLedger();
  expect((await admin.put('/staff/olivia', { name: 'Olivia', email: 'olivia@salon.example', calcomUserId: 1 })).status).toBe(200);
  expect((await admin.put('/services/consult', { name: 'Consultation', durationMinutes: 30, calcomEventTypeIds: { olivia: 101 } })).status).toBe(200);

  const plans = new Map(Array.from({ length: APPOINTMENTS }, (_, index) => [randomUUID(), planFor(index)] as const));
  const outcomes = new Map<string, Outcome>([...plans.keys()].map((id) => [id, { acknowledged: [], cutOff: null }]));
  const unexpected: string[] = [];
  const total = [...plans.values()].reduce((sum, commands) => sum + commands.length, 0);
  let acknowledged = 0;
  let killed = null as Promise<void> | null; // set in a lane below; `as` keeps TypeScript from narrowing it to null

  // Lanes send each appointment's commands in order; the kill comes when half the stream is acknowledged.
  const ids = [...plans.keys()];
  const lane = async (first: number) => {
    for (let index = first; index < ids.length; index += LANES) {
      const id = ids[index]!;
      for (const command of plans.get(id)!) {
        let status: number;
        try {
          status = (await send(admin, id, command)).status;
        } catch {
          outcomes.get(id)!.cutOff = command;
          return;
        }
        if (status < 200 || status >= 300) {
          unexpected.push(`${id} ${command.kind}: ${status}`);
          return;
        }
        outcomes.get(id)!.acknowledged.push(command);
        if (++acknowledged >= total / 2) killed ??= ledger!.kill();
      }
    }
  };
  await Promise.all(Array.from({ length: LANES }, (_, first) => lane(first)));
  expect(killed).not.toBeNull();
  await killed;
  expect(unexpected).toEqual([]);
  expect(acknowledged).toBeGreaterThanOrEqual(total / 2);
  expect(acknowledged).toBeLessThan(total);

  admin = await startLedger();

  // Every acknowledged command is there; a command cut off by the kill took effect entirely or not at all.
  for (const [id, { acknowledged: done, cutOff }] of outcomes) {
    const read = await admin.get(`/appointments/${id}`);
    const possible = [fold(done), ...(cutOff ? [fold([...done, cutOff])] : [])];
    const actual = read.status === 404 ? null : { status: read.body.status, startsAt: new Date(read.body.startsAt).toISOString() };
    expect({ id, possible }).toEqual({ id, possible: expect.arrayContaining([actual]) });
  }

  const existing = [...outcomes.keys()].filter((id) => outcomes.get(id)!.acknowledged.length > 0 || outcomes.get(id)!.cutOff?.kind === 'create');
  const views = await eventually(
    async () => {
      const all = await Promise.all(existing.map(async (id) => (await admin.get(`/appointments/${id}`)).body));
      const present = all.filter((view) => view.appointmentId);
      expect(present.filter((view) => view.calcom?.syncStatus !== 'synced').map((view) => `${view.appointmentId}: ${JSON.stringify(view.calcom)}`)).toEqual([]);
      return present;
    },
    30_000,
    100,
  );

  const state = await sandbox.state();
  expect(bookingProblems(state, views)).toEqual([]);
  const booked = new Set(views.map((view) => view.appointmentId));
  expect(state.bookings.filter((booking) => !booked.has(String(booking.metadata?.appointmentId))).map((b) => b.uid)).toEqual([]);
}, 60_000);

/** Cal.com as the appointments say it should be: one create each (at most one for a cancelled one), one active booking at the right time unless cancelled. */
function bookingProblems(state: SandboxState, views: { appointmentId: string; status: string; startsAt: string }[]): string[] {
  const problems: string[] = [];
  const created = new Set(state.mutations.filter((mutation) => mutation.op === 'create').map((mutation) => mutation.uid));
  for (const view of views) {
    const bookings = state.bookings.filter((booking) => booking.metadata?.appointmentId === view.appointmentId);
    const creates = bookings.filter((booking) => created.has(booking.uid)).length;
    // Cancelled before the sync reached it, an appointment needs no Cal.com booking at all; never two.
    const expected = view.status === 'cancelled' ? creates <= 1 : creates === 1;
    if (!expected) problems.push(`${view.appointmentId} (${view.status}): ${creates} bookings created`);
    const active = bookings.filter((booking) => booking.status === 'accepted');
    if (view.status === 'cancelled' && active.length > 0) problems.push(`${view.appointmentId} is cancelled but has ${active.length} active bookings`);
    if (view.status !== 'cancelled' && (active.length !== 1 || Date.parse(active[0]!.start) !== Date.parse(view.startsAt)))
      problems.push(`${view.appointmentId} at ${view.startsAt}: active bookings ${JSON.stringify(active.map((b) => b.start))}`);
  }
  const count = (values: string[]) => values.reduce((counts, value) => counts.set(value, (counts.get(value) ?? 0) + 1), new Map<string, number>());
  for (const [uid, times] of count(state.mutations.filter((m) => m.op === 'cancel').map((m) => m.uid))) if (times > 1) problems.push(`${uid} cancelled ${times} times`);
  for (const [uid, times] of count(state.mutations.flatMap((m) => (m.op === 'reschedule' && m.rescheduledFromUid ? [m.rescheduledFromUid] : []))))
    if (times > 1) problems.push(`${uid} rescheduled ${times} times`);
  return problems;
}
