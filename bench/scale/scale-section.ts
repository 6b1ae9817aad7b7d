import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { setTimeout as delay } from 'node:timers/promises';
import type pg from 'pg';
import { READ_MODELS_PROJECTION } from '#projections';
import { join } from 'node:path';
import { percentile } from '../appends/latency-summary.js';
import type { BenchServer } from '../bench-server.js';
import { spawnLedger } from '../calcom-sync/spawned-ledger.js';
import { openBenchPool } from '../contenders/bench-pool.js';
import { currentLoad } from '../machine.js';
import { GrowingLedger, SCALE_STAFF, type GrowthFigure } from './growing-ledger.js';
import { SCALE_QUERY_NAMES, scaleQueries, type ScaleQueryName } from './scale-queries.js';

export const DEFAULT_SCALE_SIZES = [10_000, 100_000, 1_000_000];

export interface QueryFigure {
  medianMs: number;
  p95Ms: number;
  /** Rows the query answered with, in its last round (the week: all its pages). */
  rows: number;
}

export interface ScaleStep extends GrowthFigure {
  queries: Record<ScaleQueryName, QueryFigure>;
  /** Load average when the queries started. */
  load: number;
}

export interface ScaleFigure {
  rounds: number;
  steps: ScaleStep[];
}

const TOKEN = 'bench-scale-admin-token';
/**
 * The seeded appointments never reached Cal.com, so the ledger's sync would push every one of them while the queries
 * are timed. Its Cal.com is a closed port at one call a minute: the sync reads the store and queues its backlog as it
 * would, then stays out of the way.
 */
const QUIET_CALCOM = { CALCOM_API_URL: 'http://127.0.0.1:9', CALCOM_API_KEY: 'bench-scale-no-calcom', CALCOM_RATE_LIMIT_PER_MINUTE: '1' };
const SYNC_CATCH_UP_MS = 600_000;
/** The sync's subscription (CALCOM_SYNC_SUBSCRIPTION of apps/ledger, which the bench does not import). */
const CALCOM_SYNC = 'calcom-sync';
const WARM_UP_ROUNDS = 10;
const ROUNDS = 100;

/**
 * Costs as a ledger grows: one database grown to each size in turn (appointments of a 12-staff salon, about 2.4
 * events each), the full rebuild timed, then the admin UI's queries over HTTP against the built ledger in its own
 * process (as `npm start` runs it). The queries run round-robin, each once per round, so noise lands on all alike.
 */
export async function measureScaleSection(server: BenchServer, sizes: readonly number[], seed: number, log: (line: string) => void): Promise<ScaleFigure> {
  const url = await server.createDatabase('bench_scale');
  const ledger = await GrowingLedger.open(url, seed);
  const steps: ScaleStep[] = [];
  try {
    for (const size of sizes) {
      log(`scale: growing the ledger to ${size.toLocaleString('en-US')} appointments…`);
      const growth = await ledger.growTo(size, log);
      log(`scale: ${growth.events.toLocaleString('en-US')} events; rebuild ${growth.rebuildSeconds} s; querying…`);
      const load = currentLoad();
      steps.push({ ...growth, queries: await measureQueries(url, ledger.today(), log), load });
    }
  } finally {
    await ledger.close();
  }
  return { rounds: ROUNDS, steps };
}

async function measureQueries(url: string, today: number, log: (line: string) => void): Promise<Record<ScaleQueryName, QueryFigure>> {
  const dataDir = await mkdtemp(join(tmpdir(), 'ledger-bench-scale-'));
  const pool = openBenchPool(url, 1);
  const ledger = await spawnLedger({ DATABASE_URL: url, DATA_DIR: dataDir, API_TOKENS: `admin:${TOKEN}`, ...QUIET_CALCOM }, log);
  try {
    await syncCaughtUp(pool);
    const queries = await scaleQueries(ledger.url, TOKEN, pool, today);
    const timings = new Map<ScaleQueryName, number[]>(SCALE_QUERY_NAMES.map((name) => [name, []]));
    const rows = new Map<ScaleQueryName, number>();
    for (let round = 0; round < WARM_UP_ROUNDS + ROUNDS; round++) {
      for (const name of SCALE_QUERY_NAMES) {
        const started = performance.now();
        rows.set(name, await queries[name](round));
        if (round >= WARM_UP_ROUNDS) timings.get(name)!.push(performance.now() - started);
      }
    }
    return Object.fromEntries(
      SCALE_QUERY_NAMES.map((name) => {
        const sorted = timings.get(name)!.sort((a, b) => a - b);
        return [name, { medianMs: round(percentile(sorted, 0.5)), p95Ms: round(percentile(sorted, 0.95)), rows: rows.get(name)! }];
      }),
    ) as Record<ScaleQueryName, QueryFigure>;
  } finally {
    await ledger.stop();
    await pool.end();
    await rm(dataDir, { recursive: true, force: true });
  }
}

/** Until the sync's subscription has read as far as the rebuilt read models: its catch-up is not what is measured. */
async function syncCaughtUp(pool: pg.Pool): Promise<void> {
  const deadline = Date.now() + SYNC_CATCH_UP_MS;
  const globalOf = (name: string) => `(SELECT split_part(position, ':', 2)::bigint FROM projection_checkpoints WHERE name = '${name}')`;
  for (;;) {
    const { rows } = await pool.query<{ caught_up: boolean }>(`SELECT ${globalOf(CALCOM_SYNC)} >= ${globalOf(READ_MODELS_PROJECTION)} AS caught_up`);
    if (rows[0].caught_up) return;
    if (Date.now() > deadline) throw new Error(`The ledger's Cal.com sync did not catch up within ${SYNC_CATCH_UP_MS / 1000} s`);
    await delay(200);
  }
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
    `  ${'full rebuild (s)'.padEnd(28)}${figure.steps.map((step) => cell(`${step.rebuildSeconds}`)).join('')}  ${`${(last.rebuildSeconds / first.rebuildSeconds).toFixed(1)}x`.padStart(12)}`,
    `  ${'rebuild events/s'.padEnd(28)}${figure.steps.map((step) => cell(step.rebuildEventsPerSecond.toLocaleString('en-US'))).join('')}`,
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
