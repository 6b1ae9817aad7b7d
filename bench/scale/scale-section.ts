import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import pg from 'pg';
import { join } from 'node:path';
import { percentile } from '../appends/latency-summary.js';
import type { BenchServer } from '../bench-server.js';
import { spawnLedger } from '../calcom-sync/spawned-ledger.js';
import { openBenchPool } from '../contenders/bench-pool.js';
import { CpuMeter, processCpuMs } from '../cpu-meter.js';
import { currentLoad } from '../machine.js';
import { GrowingLedger, SCALE_STAFF, type GrowthFigure } from './growing-ledger.js';
import { SCALE_QUERY_NAMES, scaleQueries, type ScaleQueryName } from './scale-queries.js';

export const DEFAULT_SCALE_SIZES = [10_000, 100_000, 1_000_000];

export interface QueryFigure {
  medianMs: number;
  p95Ms: number;
  /** Rows the query answered with, in its last round (the week: all its pages). */
  rows: number;
  /**
   * CPU time per round of the ledger's process and the PostgreSQL server together (mean; /proc counts in 10 ms ticks,
   * which average out over the rounds); null for a server on another machine. Load on the machine slows a query's
   * answer but hardly changes the work it takes, so this shows flatness where the milliseconds show the load.
   */
  cpuMs: number | null;
}

export interface ScaleStep extends GrowthFigure {
  queries: Record<ScaleQueryName, QueryFigure>;
  /** Re-checking the whole hash chain after the queries (not timed as a figure of the ledger). */
  verifySeconds: number;
  /** Load average when the queries started. */
  load: number;
}

export interface ScaleFigure {
  rounds: number;
  steps: ScaleStep[];
}

const TOKEN = 'bench-scale-admin-token';
/**
 * The lock a ledger instance holds while it runs the background workers (BACKGROUND_WORKERS_LOCK of apps/ledger, which
 * the bench does not import). The seeded appointments never reached Cal.com, so a leading instance would push every one
 * of them (and record each outcome) while the queries are timed; with the bench holding the lock, as another instance
 * of the same ledger would, the measured one is a standby: it serves the API and runs the projector, nothing else.
 */
const BACKGROUND_WORKERS_LOCK = 'ledger:background-workers';
const WARM_UP_ROUNDS = 10;
const ROUNDS = 100;

/**
 * Costs as a ledger grows: one database grown to each size in turn (appointments of a 12-staff salon, about 2.4
 * events each), the full rebuild timed, then the admin UI's queries over HTTP against the built ledger in its own
 * process (as `npm start` runs it, as a standby of the background workers). The queries run round-robin, each once per round, so noise lands on all alike.
 */
export async function measureScaleSection(server: BenchServer, sizes: readonly number[], seed: number, log: (line: string) => void): Promise<ScaleFigure> {
  const url = await server.createDatabase('bench_scale');
  const ledger = await GrowingLedger.open(url, server.postmasterPid, seed);
  const steps: ScaleStep[] = [];
  try {
    for (const size of sizes) {
      log(`scale: growing the ledger to ${size.toLocaleString('en-US')} appointments…`);
      const growth = await ledger.growTo(size, log);
      const perCpuSecond = growth.rebuildEventsPerCpuSecond === null ? '' : ` (${growth.rebuildEventsPerCpuSecond.toLocaleString('en-US')} events per CPU second)`;
      log(`scale: ${growth.events.toLocaleString('en-US')} events; rebuild ${growth.rebuildSeconds} s${perCpuSecond}; querying…`);
      const load = currentLoad();
      const queries = await measureQueries(url, server.postmasterPid, ledger.today(), log);
      const figures = SCALE_QUERY_NAMES.map((name) => `${name} ${queries[name].medianMs}/${queries[name].p95Ms} ms, CPU ${queries[name].cpuMs ?? 'n/a'} ms`);
      log(`scale: ${size.toLocaleString('en-US')}: ${figures.join('; ')} (load ${load}; seeded in ${growth.seedSeconds} s)`);
      steps.push({ ...growth, queries, load, verifySeconds: await ledger.verifyChain() });
    }
  } finally {
    await ledger.close();
  }
  return { rounds: ROUNDS, steps };
}

async function measureQueries(url: string, postmasterPid: number | null, today: number, log: (line: string) => void): Promise<Record<ScaleQueryName, QueryFigure>> {
  const dataDir = await mkdtemp(join(tmpdir(), 'ledger-bench-scale-'));
  const pool = openBenchPool(url, 1);
  const leader = new pg.Client(url);
  await leader.connect();
  const [{ locked }] = (await leader.query<{ locked: boolean }>('SELECT pg_try_advisory_lock(hashtextextended($1, 0)) AS locked', [BACKGROUND_WORKERS_LOCK])).rows;
  if (!locked) throw new Error('Another process holds the background workers lock of the scale database');
  const ledger = await spawnLedger({ DATABASE_URL: url, DATA_DIR: dataDir, API_TOKENS: `admin:${TOKEN}` }, log);
  try {
    const eventsBefore = await eventCount(pool);
    const queries = await scaleQueries(ledger.url, TOKEN, pool, today);
    const timings = new Map<ScaleQueryName, number[]>(SCALE_QUERY_NAMES.map((name) => [name, []]));
    const cpu = new Map<ScaleQueryName, number | null>(SCALE_QUERY_NAMES.map((name) => [name, 0]));
    const rows = new Map<ScaleQueryName, number>();
    const server = new CpuMeter(postmasterPid);
    for (let round = 0; round < WARM_UP_ROUNDS + ROUNDS; round++) {
      for (const name of SCALE_QUERY_NAMES) {
        // Read before the clock starts and after it stops: reading /proc is not the query's time.
        const stopServer = server.start();
        const ledgerBefore = processCpuMs(ledger.pid);
        const started = performance.now();
        rows.set(name, await queries[name](round));
        const elapsed = performance.now() - started;
        const ledgerCpuMs = ledgerBefore === null ? null : (processCpuMs(ledger.pid) ?? ledgerBefore) - ledgerBefore;
        const { serverCpuMs } = stopServer();
        if (round < WARM_UP_ROUNDS) continue;
        timings.get(name)!.push(elapsed);
        const spent = cpu.get(name)!;
        cpu.set(name, spent === null || ledgerCpuMs === null || serverCpuMs === null ? null : spent + ledgerCpuMs + serverCpuMs);
      }
    }
    const appended = (await eventCount(pool)) - eventsBefore;
    if (appended > 0) throw new Error(`The ledger appended ${appended} events of its own while the queries ran`);
    return Object.fromEntries(
      SCALE_QUERY_NAMES.map((name) => {
        const sorted = timings.get(name)!.sort((a, b) => a - b);
        const spent = cpu.get(name)!;
        const cpuMs = spent === null ? null : round(spent / ROUNDS);
        return [name, { medianMs: round(percentile(sorted, 0.5)), p95Ms: round(percentile(sorted, 0.95)), rows: rows.get(name)!, cpuMs }];
      }),
    ) as Record<ScaleQueryName, QueryFigure>;
  } finally {
    await ledger.stop();
    await leader.end();
    await pool.end();
    await rm(dataDir, { recursive: true, force: true });
  }
}

async function eventCount(pool: pg.Pool): Promise<number> {
  const { rows } = await pool.query<{ count: number }>('SELECT count(*)::int AS count FROM events');
  return rows[0].count;
}

export function formatScaleFigure(figure: ScaleFigure): string {
  const sizes = figure.steps.map((step) => step.appointments.toLocaleString('en-US'));
  const cell = (text: string) => text.padStart(18);
  const last = figure.steps.at(-1)!;
  const first = figure.steps[0];
  const lines = [
    '',
    `Scale: one ledger grown to each size (${SCALE_STAFF} staff, ~${(last.events / last.appointments).toFixed(1)} events per appointment), ` +
      `VACUUM ANALYZE after seeding and after the rebuild; queries over HTTP against the built ledger in its own process, ` +
      `median / p95 of ${figure.rounds} rounds (ms):`,
    `  ${'appointments'.padEnd(28)}${sizes.map(cell).join('')}  ${'last / first'.padStart(12)}`,
    ...SCALE_QUERY_NAMES.map((name) => {
      const values = figure.steps.map((step) => cell(`${step.queries[name].medianMs} / ${step.queries[name].p95Ms}`));
      const ratio = last.queries[name].medianMs / first.queries[name].medianMs;
      return `  ${name.padEnd(28)}${values.join('')}  ${`${ratio.toFixed(2)}x`.padStart(12)}`;
    }),
    `  CPU per query, ledger process + PostgreSQL server (ms, mean of ${figure.rounds} rounds; the load hardly moves it):`,
    ...SCALE_QUERY_NAMES.map((name) => {
      const values = figure.steps.map((step) => cell(step.queries[name].cpuMs === null ? 'n/a' : String(step.queries[name].cpuMs)));
      const [firstCpu, lastCpu] = [first.queries[name].cpuMs, last.queries[name].cpuMs];
      const ratio = firstCpu && lastCpu !== null ? `${(lastCpu / firstCpu).toFixed(2)}x` : '';
      return `  ${name.padEnd(28)}${values.join('')}  ${ratio.padStart(12)}`;
    }),
    `  ${'full rebuild (s)'.padEnd(28)}${figure.steps.map((step) => cell(`${step.rebuildSeconds}`)).join('')}  ${`${(last.rebuildSeconds / first.rebuildSeconds).toFixed(1)}x`.padStart(12)}`,
    `  ${'rebuild events/s'.padEnd(28)}${figure.steps.map((step) => cell(step.rebuildEventsPerSecond.toLocaleString('en-US'))).join('')}`,
    `  ${'rebuild events/CPU-s'.padEnd(28)}${figure.steps.map((step) => cell(step.rebuildEventsPerCpuSecond?.toLocaleString('en-US') ?? 'n/a')).join('')}`,
    `  ${'events'.padEnd(28)}${figure.steps.map((step) => cell(step.events.toLocaleString('en-US'))).join('')}  ${`${(last.events / first.events).toFixed(1)}x`.padStart(12)}`,
    `  ${'week rows'.padEnd(28)}${figure.steps.map((step) => cell(String(step.queries['week, 12 staff (all pages)'].rows))).join('')}`,
    `  ${'load average at queries'.padEnd(28)}${figure.steps.map((step) => cell(String(step.load))).join('')}`,
    `  (seeding, not timed: ${figure.steps.map((step) => `${step.seedSeconds} s`).join(', ')}; chain verified in ${figure.steps.map((step) => `${step.verifySeconds} s`).join(', ')})`,
  ];
  return lines.join('\n');
}

function round(value: number): number {
  return Math.round(value * 100) / 100;
}
