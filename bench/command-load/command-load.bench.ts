import { setTimeout as delay } from 'node:timers/promises';
import { type HostEventType, hostsCatalog, putHostsCatalog, startLedgerWithSandbox } from '../calcom-sync/ledger-with-sandbox.js';
import { type LagFigure, summary } from '../calcom-sync/sync-lag-matching.js';
import { currentLoad } from '../machine.js';
import { SeededRandom } from '../workload/seeded-random.js';
import { COMMAND_KINDS, READ_KINDS, type CommandKind, type SalonRequest, SalonClient } from './mixed-requests.js';

export interface CommandLoadSettings {
  /** Requests per second, sent open-loop: each when it is due, whatever the earlier ones are doing. */
  ratePerSecond: number;
  warmUpSeconds: number;
  seconds: number;
  /** Appointments booked before the warm-up, so that commands and reads have something to work on from the start. */
  seededAppointments: number;
  seed: number;
}

export interface CommandLoadFigure {
  ratePerSecond: number;
  seconds: number;
  /** Latency from when each request was due to its answer, per admin command and for every command together. */
  commands: LagFigure;
  byCommand: Record<CommandKind, LagFigure>;
  reads: LagFigure;
  /** Answers 409: a refusal the domain may give (e.g. a slot taken meanwhile), counted apart from errors. */
  conflicts: number;
  /** Any other answer outside 2xx, or no answer at all. */
  errors: number;
  firstErrors: string[];
  /** 1-minute load average before the measured run and after it. */
  loadAverage: { atStart: number; atEnd: number };
}

const ADMIN_TOKEN = 'bench-admin-token';
const DAY_MS = 86_400_000;
const STAFF = 12;
const CONSULTATION: HostEventType = { idOf: (userId) => 1_000 + userId, slug: 'consultation', title: 'Consultation', lengthInMinutes: 30 };
const TREATMENT: HostEventType = { idOf: (userId) => 2_000 + userId, slug: 'treatment', title: 'Treatment', lengthInMinutes: 45 };
const CATALOG = (() => {
  const consultation = hostsCatalog(STAFF, CONSULTATION);
  return { users: consultation.users, eventTypes: [...consultation.eventTypes, ...hostsCatalog(STAFF, TREATMENT).eventTypes] };
})();

/**
 * Admin commands under a mixed load: the ledger in its own process as `npm start` runs it, Cal.com's sandbox in
 * this one (no rate limit), and one admin client sending creates, moves, cancels and desk actions among the desk's
 * and the calendar's reads at a fixed rate. Each latency counts from when the request was due (no coordinated
 * omission: a ledger that falls behind shows). A create asks Cal.com's slots first; that is part of its answer.
 */
export async function measureCommandLoad(databaseUrl: string, settings: CommandLoadSettings, log: (line: string) => void): Promise<CommandLoadFigure> {
  const { ledger, stop } = await startLedgerWithSandbox(databaseUrl, CATALOG, { API_TOKENS: `admin:${ADMIN_TOKEN}` }, log);
  const call = client(ledger.url);
  try {
    const setUp = async (method: string, path: string, body: unknown) => {
      const answer = await call({ method, path, body });
      if (answer.status > 299) throw new Error(`${method} ${path}: ${answer.status} ${JSON.stringify(answer.body)}`);
    };
    await putHostsCatalog(setUp, CATALOG, 'consultation', CONSULTATION);
    await putHostsCatalog(setUp, CATALOG, 'treatment', TREATMENT);
    const salon = new SalonClient(
      { staffIds: CATALOG.users.map((user) => user.username), serviceIds: ['consultation', 'treatment'], firstHourMs: Math.floor(Date.now() / DAY_MS + 400) * DAY_MS },
      new SeededRandom(settings.seed),
    );
    for (let booked = 0; booked < settings.seededAppointments; booked++) {
      const request = salon.request('create');
      const answer = await call(request);
      if (answer.status > 299) throw new Error(`seeding: ${answer.status} ${JSON.stringify(answer.body)}`);
      salon.answered(request, answer.status, answer.body);
    }
    log(`command load: warm-up, ${settings.warmUpSeconds} s at ${settings.ratePerSecond}/s…`);
    await sendAtFixedRate(salon, call, settings.ratePerSecond, settings.warmUpSeconds);
    const atStart = currentLoad();
    log(`command load: ${settings.seconds} s at ${settings.ratePerSecond}/s, commands and reads mixed (load average ${atStart})…`);
    const outcomes = await sendAtFixedRate(salon, call, settings.ratePerSecond, settings.seconds);
    return figure(settings, outcomes, { atStart, atEnd: currentLoad() });
  } finally {
    await stop();
  }
}

interface Outcome {
  kind: SalonRequest['kind'];
  latencyMs: number;
  status: number;
  error?: string;
}

async function sendAtFixedRate(salon: SalonClient, call: Call, ratePerSecond: number, seconds: number): Promise<Outcome[]> {
  const total = Math.round(ratePerSecond * seconds);
  const outcomes: Outcome[] = [];
  const inFlight: Promise<void>[] = [];
  const started = performance.now();
  for (let index = 0; index < total; index++) {
    const due = started + (index * 1000) / ratePerSecond;
    const wait = due - performance.now();
    if (wait > 0) await delay(wait);
    const request = salon.next();
    inFlight.push(
      call(request).then((answer) => {
        salon.answered(request, answer.status, answer.body);
        const failed = answer.status > 299 && answer.status !== 409;
        outcomes.push({
          kind: request.kind,
          latencyMs: performance.now() - due,
          status: answer.status,
          error: failed ? `${request.method} ${request.path}: ${answer.status} ${JSON.stringify(answer.body).slice(0, 300)}` : undefined,
        });
      }),
    );
  }
  await Promise.all(inFlight);
  return outcomes;
}

function figure(settings: CommandLoadSettings, outcomes: Outcome[], loadAverage: CommandLoadFigure['loadAverage']): CommandLoadFigure {
  const answered = outcomes.filter((outcome) => outcome.status >= 200 && outcome.status <= 299);
  const latencies = (kinds: readonly string[]) => summary(answered.filter((outcome) => kinds.includes(outcome.kind)).map((outcome) => round(outcome.latencyMs)));
  const errors = outcomes.filter((outcome) => outcome.error);
  return {
    ratePerSecond: settings.ratePerSecond,
    seconds: settings.seconds,
    commands: latencies(COMMAND_KINDS),
    byCommand: Object.fromEntries(COMMAND_KINDS.map((kind) => [kind, latencies([kind])])) as Record<CommandKind, LagFigure>,
    reads: latencies(READ_KINDS),
    conflicts: outcomes.filter((outcome) => outcome.status === 409).length,
    errors: errors.length,
    firstErrors: errors.slice(0, 5).map((outcome) => outcome.error!),
    loadAverage,
  };
}

type Call = (request: { method: string; path: string; body?: unknown; ifMatch?: number }) => Promise<{ status: number; body: unknown }>;

/** An admin's calls; a request that gets no answer at all counts as status 0. */
function client(url: string): Call {
  return async ({ method, path, body, ifMatch }) => {
    try {
      const response = await fetch(`${url}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${ADMIN_TOKEN}`,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
          ...(ifMatch === undefined ? {} : { 'if-match': `"${ifMatch}"` }),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await response.text();
      return { status: response.status, body: text ? JSON.parse(text) : null };
    } catch (error) {
      return { status: 0, body: { error: String(error) } };
    }
  };
}

const round = (value: number): number => Math.round(value * 10) / 10;
