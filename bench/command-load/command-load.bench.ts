import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { type HostEventType, hostsCatalog, putHostsCatalog, startLedgerWithSandboxProcess } from '../calcom-sync/ledger-with-sandbox.js';
import { type LagFigure, summary } from '../calcom-sync/sync-lag-matching.js';
import { CpuMeter } from '../cpu-meter.js';
import { currentLoad } from '../machine.js';
import { SeededRandom } from '../workload/seeded-random.js';
import { COMMAND_KINDS, READ_KINDS, type CommandKind, type SalonRequest, SalonClient } from './mixed-requests.js';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { censusBetween, type LedgerPauses, type QueryCensus, type QueryShapeCount } from './query-census.js';

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
  /** What the load does not skew: the ledger's round trips to PostgreSQL, the projector's batches, CPU time. */
  work: CommandLoadWork;
}

export interface CommandLoadWork {
  /** Every query the ledger's process sent (commands, reads, projector, background workers), per request sent. */
  roundTripsPerRequest: number;
  /** Batches the read models' projector committed per second, and the round trips each took on average. */
  projectorBatchesPerSecond: number;
  projectorRoundTripsPerBatch: number;
  /** CPU time of the ledger's process and of the PostgreSQL server, per request sent; null where not visible. */
  ledgerCpuMsPerRequest: number;
  serverCpuMsPerRequest: number | null;
  /** The busiest query shapes: calls per request and mean time from call to answer. */
  busiestQueries: { shape: string; perRequest: number; meanMs: number }[];
  /** Stalls that hold every request at once: the ledger's event loop and garbage collector, and this process's loop (the load client). */
  ledgerPauses: LedgerPauses;
  benchEventLoopDelay: { p99Ms: number; maxMs: number };
  /** The seconds of the run (from its start) with the slowest command answers: stalls show as a few such seconds. */
  slowestSeconds: { second: number; commandMaxMs: number; commands: number }[];
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
 * another (no rate limit), and in this one an admin client sending creates, moves, cancels and desk actions among the desk's
 * and the calendar's reads at a fixed rate. Each latency counts from when the request was due (no coordinated
 * omission: a ledger that falls behind shows). A create asks Cal.com's slots first; that is part of its answer.
 */
export async function measureCommandLoad(
  databaseUrl: string,
  postmasterPid: number | null,
  settings: CommandLoadSettings,
  log: (line: string) => void,
): Promise<CommandLoadFigure> {
  const censusDir = await mkdtemp(join(tmpdir(), 'ledger-census-'));
  const census = new CensusReader(join(censusDir, 'census.json'));
  const { ledger, stop } = await startLedgerWithSandboxProcess(databaseUrl, CATALOG, { API_TOKENS: `admin:${ADMIN_TOKEN}`, ...census.ledgerEnv() }, log);
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
    const before = await census.snapshot();
    const serverCpu = new CpuMeter(postmasterPid).start();
    const benchLoop = monitorEventLoopDelay({ resolution: 10 });
    benchLoop.enable();
    const outcomes = await sendAtFixedRate(salon, call, settings.ratePerSecond, settings.seconds);
    benchLoop.disable();
    const serverCpuMs = serverCpu().serverCpuMs;
    const after = await census.snapshot();
    return figure(
      settings,
      outcomes,
      { atStart, atEnd: currentLoad() },
      {
        ...work(before, after, serverCpuMs, outcomes.length, settings.seconds),
        benchEventLoopDelay: { p99Ms: round(benchLoop.percentile(99) / 1e6), maxMs: round(benchLoop.max / 1e6) },
        slowestSeconds: slowestSeconds(outcomes),
      },
    );
  } finally {
    await stop();
    await rm(censusDir, { recursive: true, force: true });
  }
}

const CENSUS_MODULE = new URL('./query-census.js', import.meta.url).href;

/** The ledger's query census (query-census.ts, preloaded into its process): asked for a snapshot by a signal. */
class CensusReader {
  private pid: number | null = null;
  private taken = 0;

  constructor(private readonly file: string) {}

  ledgerEnv(): Record<string, string> {
    return { NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --import=${CENSUS_MODULE}`.trim(), QUERY_CENSUS_FILE: this.file };
  }

  async snapshot(): Promise<QueryCensus> {
    this.pid ??= (await this.read()).pid;
    this.taken++;
    process.kill(this.pid, 'SIGUSR2');
    for (;;) {
      const census = await this.read();
      if (census.snapshot >= this.taken) return census;
      await delay(5);
    }
  }

  private async read(): Promise<QueryCensus> {
    return JSON.parse(await readFile(this.file, 'utf8')) as QueryCensus;
  }
}

/** The five seconds of the run whose slowest command answer was slowest, in time order. */
function slowestSeconds(outcomes: Outcome[]): CommandLoadWork['slowestSeconds'] {
  const bySecond = new Map<number, { second: number; commandMaxMs: number; commands: number }>();
  for (const { kind, dueAtMs, latencyMs } of outcomes) {
    if (!(COMMAND_KINDS as readonly string[]).includes(kind)) continue;
    const second = Math.floor(dueAtMs / 1000);
    const entry = bySecond.get(second) ?? { second, commandMaxMs: 0, commands: 0 };
    entry.commands++;
    entry.commandMaxMs = Math.max(entry.commandMaxMs, round(latencyMs));
    bySecond.set(second, entry);
  }
  return [...bySecond.values()]
    .sort((a, b) => b.commandMaxMs - a.commandMaxMs)
    .slice(0, 5)
    .sort((a, b) => a.second - b.second);
}

function work(
  before: QueryCensus,
  after: QueryCensus,
  serverCpuMs: number | null,
  requests: number,
  seconds: number,
): Omit<CommandLoadWork, 'benchEventLoopDelay' | 'slowestSeconds'> {
  const shapes = censusBetween(before, after);
  const calls = (counted: QueryShapeCount[]) => counted.reduce((sum, { calls: made }) => sum + made, 0);
  const perRequest = (value: number) => Math.round((value / requests) * 100) / 100;
  const batches = after.projector.batches - before.projector.batches;
  return {
    roundTripsPerRequest: perRequest(calls(shapes.map(([, count]) => count))),
    projectorBatchesPerSecond: Math.round(batches / seconds),
    projectorRoundTripsPerBatch: Math.round(((after.projector.roundTrips - before.projector.roundTrips) / Math.max(1, batches)) * 100) / 100,
    ledgerCpuMsPerRequest: perRequest(after.cpuMs - before.cpuMs),
    serverCpuMsPerRequest: serverCpuMs === null ? null : perRequest(serverCpuMs),
    busiestQueries: shapes.slice(0, 20).map(([shape, { calls: made, totalMs }]) => ({ shape, perRequest: perRequest(made), meanMs: Math.round((totalMs / made) * 10) / 10 })),
    ledgerPauses: {
      eventLoopDelayP99Ms: round(after.pauses.eventLoopDelayP99Ms),
      eventLoopDelayMaxMs: round(after.pauses.eventLoopDelayMaxMs),
      gcCount: after.pauses.gcCount,
      gcTotalMs: round(after.pauses.gcTotalMs),
      gcMaxMs: round(after.pauses.gcMaxMs),
    },
  };
}

interface Outcome {
  kind: SalonRequest['kind'];
  /** When it was due, from the start of the run. */
  dueAtMs: number;
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
          dueAtMs: due - started,
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

function figure(settings: CommandLoadSettings, outcomes: Outcome[], loadAverage: CommandLoadFigure['loadAverage'], work: CommandLoadWork): CommandLoadFigure {
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
    work,
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
