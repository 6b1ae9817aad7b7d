import { randomUUID } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import pg from 'pg';
import type { RunningSandbox } from '#calcom-sandbox';
import { type HostEventType, hostsCatalog, putHostsCatalog, startLedgerWithSandbox } from './ledger-with-sandbox.js';
import { type LagFigure, matched, type Sent, summary } from './sync-lag-matching.js';

export interface SyncLagSettings {
  /** Admin commands per second, sent open-loop (each one when it is due, whatever the earlier ones are doing). */
  ratePerSecond: number;
  /** Appointments scheduled; half of them are then rescheduled, and those cancelled. */
  appointments: number;
  warmUpAppointments: number;
}

export type { LagFigure };

export interface SyncLagFigure extends LagFigure {
  ratePerSecond: number;
  byOperation: Record<'create' | 'reschedule' | 'cancel', LagFigure>;
  /** The same, counted from the command's answer instead of its sending (negative: Cal.com was called before the answer). */
  fromAnswer: LagFigure;
  /** How long the commands themselves took to answer (they wait for the read model: read-your-writes). */
  commandAnswer: LagFigure;
  /** The sync's own part: from the command's event being recorded (its `recorded_at`) to the Cal.com call. */
  fromEvent: LagFigure;
}

const ADMIN_TOKEN = 'bench-admin-token';
const DAY_MS = 86_400_000;
const SYNC_TIMEOUT_MS = 120_000;

/**
 * Sync lag: from the moment an admin command is sent to the ledger until the Cal.com call it causes reaches Cal.com
 * (the sandbox's mutation log, same clock as the sender). The ledger runs in its own process as `npm start` runs it,
 * with a Cal.com key pointing at a sandbox in this process. Webhooks are off: only the outbound path is measured,
 * and the sandbox logs a cancel only after its webhook would have gone.
 */
export async function measureSyncLag(databaseUrl: string, settings: SyncLagSettings, log: (line: string) => void): Promise<SyncLagFigure> {
  const { sandbox, ledger, stop } = await startLedgerWithSandbox(databaseUrl, CATALOG, { API_TOKENS: `admin:${ADMIN_TOKEN}` }, log);
  const admin = adminClient(ledger.url);
  try {
    await putHostsCatalog(admin, CATALOG, 'consultation', CONSULTATION);
    const slots = slotsFrom(Date.now() + 500 * DAY_MS);
    await run(admin, sandbox, schedules(settings.warmUpAppointments, slots), settings.ratePerSecond);
    log(`sync lag: ${settings.appointments} schedules, then ${settings.appointments / 2} reschedules and cancels, at ${settings.ratePerSecond}/s…`);
    const scheduled = schedules(settings.appointments, slots);
    const sent = await run(admin, sandbox, scheduled, settings.ratePerSecond);
    const moved = scheduled.slice(0, Math.floor(scheduled.length / 2));
    sent.push(
      ...(await run(
        admin,
        sandbox,
        moved.map(({ appointmentId }) => reschedule(appointmentId, slots)),
        settings.ratePerSecond,
      )),
    );
    sent.push(
      ...(await run(
        admin,
        sandbox,
        moved.map(({ appointmentId }) => cancel(appointmentId)),
        settings.ratePerSecond,
      )),
    );
    return { ratePerSecond: settings.ratePerSecond, ...(await lags(sandbox, sent)), fromEvent: await lagsFromEvents(databaseUrl, sandbox, sent) };
  } finally {
    await stop();
  }
}

interface Command extends Omit<Sent, 'sentAt'> {
  method: string;
  path: string;
  body: unknown;
}

/** A salon's worth of staff, each with an event type of their own: commands spread over calendars as in real use. */
const STAFF = 20;
const CONSULTATION: HostEventType = { idOf: (userId) => 1_000 + userId, slug: 'consultation', title: 'Consultation', lengthInMinutes: 30 };
const CATALOG = hostsCatalog(STAFF, CONSULTATION);

function schedules(count: number, slots: () => string): Command[] {
  return Array.from({ length: count }, (_, index) => {
    const appointmentId = randomUUID();
    const customer = { name: 'Bench Client', email: `bench-${appointmentId.slice(0, 8)}@example.com`, timeZone: 'UTC' };
    const body = { appointmentId, serviceId: 'consultation', staffId: `staff${(index % STAFF) + 1}`, startsAt: slots(), customer };
    return { appointmentId, operation: 'create' as const, method: 'POST', path: '/appointments', body };
  });
}

const reschedule = (appointmentId: string, slots: () => string): Command => ({
  appointmentId,
  operation: 'reschedule',
  method: 'POST',
  path: `/appointments/${appointmentId}/reschedule`,
  body: { startsAt: slots() },
});

const cancel = (appointmentId: string): Command => ({
  appointmentId,
  operation: 'cancel',
  method: 'POST',
  path: `/appointments/${appointmentId}/cancel`,
  body: { reason: 'bench' },
});

/** Sends the commands open-loop at `ratePerSecond`, then waits until Cal.com has seen every one of them. */
async function run(admin: ReturnType<typeof adminClient>, sandbox: RunningSandbox, commands: Command[], ratePerSecond: number): Promise<Sent[]> {
  const started = Date.now();
  const sent: Sent[] = [];
  const answers: Promise<void>[] = [];
  for (const [index, command] of commands.entries()) {
    const due = started + (index * 1000) / ratePerSecond;
    if (due > Date.now()) await delay(due - Date.now());
    const record: Sent = { appointmentId: command.appointmentId, operation: command.operation, sentAt: Date.now() };
    sent.push(record);
    answers.push(admin(command.method, command.path, command.body).then(() => void (record.answeredAt = Date.now())));
  }
  await Promise.all(answers);
  const deadline = Date.now() + SYNC_TIMEOUT_MS;
  while ((await matched(sandbox, sent)).length < sent.length) {
    if (Date.now() > deadline) throw new Error(`Cal.com did not see all ${sent.length} changes within ${SYNC_TIMEOUT_MS} ms`);
    await delay(50);
  }
  return sent;
}

async function lags(sandbox: RunningSandbox, sent: Sent[]): Promise<Omit<SyncLagFigure, 'ratePerSecond' | 'fromEvent'>> {
  const landed = await matched(sandbox, sent);
  const figure = (operation?: Sent['operation']) => summary(landed.filter(({ sent: s }) => !operation || s.operation === operation).map(({ sent: s, at }) => at - s.sentAt));
  return {
    ...figure(),
    byOperation: { create: figure('create'), reschedule: figure('reschedule'), cancel: figure('cancel') },
    fromAnswer: summary(landed.map(({ sent: s, at }) => at - s.answeredAt!)),
    commandAnswer: summary(sent.map((s) => s.answeredAt! - s.sentAt)),
  };
}

const EVENT_OF: Record<Sent['operation'], string> = { create: 'AppointmentScheduled', reschedule: 'AppointmentRescheduled', cancel: 'AppointmentCancelled' };

async function lagsFromEvents(databaseUrl: string, sandbox: RunningSandbox, sent: Sent[]): Promise<LagFigure> {
  const db = new pg.Client(databaseUrl);
  await db.connect();
  try {
    const { rows } = await db.query<{ stream_name: string; type: string; at: string }>(
      `SELECT stream_name, type, (extract(epoch FROM recorded_at) * 1000)::text AS at FROM events WHERE stream_name LIKE 'appointment-%'`,
    );
    const recorded = new Map(rows.map((row) => [`${row.stream_name}/${row.type}`, Number(row.at)]));
    const landed = await matched(sandbox, sent);
    return summary(landed.map(({ sent: s, at }) => at - recorded.get(`appointment-${s.appointmentId}/${EVENT_OF[s.operation]}`)!));
  } finally {
    await db.end();
  }
}

function slotsFrom(startMs: number): () => string {
  let hour = 0;
  return () => new Date(Math.floor(startMs / DAY_MS) * DAY_MS + hour++ * 3_600_000).toISOString();
}

function adminClient(url: string) {
  return async (method: string, path: string, body: unknown): Promise<void> => {
    const response = await fetch(`${url}${path}`, {
      method,
      headers: { 'content-type': 'application/json', authorization: `Bearer ${ADMIN_TOKEN}` },
      body: JSON.stringify(body),
    });
    if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${await response.text()}`);
  };
}
