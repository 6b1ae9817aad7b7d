import { combineRounds, type RoundFigure, type ThroughputFigure } from './appends/latency-summary.js';
import { checkTargets, type BenchResults, type ContenderResults } from './bench-results.js';
import { openBenchServer, type BenchServer } from './bench-server.js';
import { readBenchSettings, warmUpCount, type BenchSettings, type SectionName } from './bench-settings.js';
import type { CatchUpFigure } from './catch-up/catch-up-figure.js';
import { formatSyncLagFigure, measureSyncLagSection } from './calcom-sync/sync-lag-section.js';
import { formatCommandLoadFigure, measureCommandLoadSection } from './command-load/command-load-section.js';
import { ContenderProcess } from './contender-process.js';
import { formatDriftFigure, measureDriftSection } from './drift/drift-section.js';
import { formatScaleFigure, measureScaleSection } from './scale/scale-section.js';
import { formatUiFigure, measureUiSection } from './ui/ui-section.js';
import { formatWebhookIntakeFigure, measureWebhookIntakeSection } from './webhooks/webhook-intake-section.js';
import { contenders, type ContenderName } from './contenders/contenders.js';
import { currentLoad, describeMachine } from './machine.js';
import { formatResultsTable } from './results-table.js';
import type { WorkerTask } from './worker-protocol.js';

/**
 * `npm run bench`: this project's event store and projector side by side with Emmett's PostgreSQL store and raw COPY,
 * on one PostgreSQL. Progress goes to stderr; stdout gets the table and, as its last line, one JSON object.
 */
async function main(): Promise<void> {
  const settings = readBenchSettings(process.env, process.argv.slice(2));
  const startedAt = new Date();
  const loadAtStart = currentLoad();
  if (loadAtStart > 0.5) progress(`load average is ${loadAtStart}: other work on this machine will skew the figures`);
  const server = await openBenchServer(process.env.DATABASE_URL || null, progress);
  const processes: ContenderProcess[] = [];
  try {
    const runs = (section: SectionName) => settings.sections.includes(section);
    const results = runs('appends') ? await startAndMeasure(settings, server, processes) : {};
    const drift = runs('drift') ? await measureDriftSection(server, settings.scale, progress) : undefined;
    const syncLag = runs('sync-lag') ? await measureSyncLagSection(server, settings.scale, progress) : undefined;
    const commandLoad = runs('command-load') ? await measureCommandLoadSection(server, settings.scale, settings.seed, progress) : undefined;
    const webhookIntake = runs('webhook-intake') ? await measureWebhookIntakeSection(server, settings.scale, progress) : undefined;
    const ui = runs('ui') ? await measureUiSection(server, settings.scale, progress) : undefined;
    const scale = runs('scale') ? await measureScaleSection(server, settings.scaleSizes, settings.seed, progress) : undefined;
    const targets = runs('appends') ? checkTargets(results) : undefined;
    const machine = describeMachine(server.version, server.description, loadAtStart);
    const seconds = Math.round((Date.now() - startedAt.getTime()) / 100) / 10;
    if (targets) console.log(formatResultsTable(results, settings.contenders, targets, settings.catchUpEvents));
    if (drift) console.log(formatDriftFigure(drift));
    if (syncLag) console.log(formatSyncLagFigure(syncLag));
    if (commandLoad) console.log(formatCommandLoadFigure(commandLoad));
    if (webhookIntake) console.log(formatWebhookIntakeFigure(webhookIntake));
    if (ui) console.log(formatUiFigure(ui));
    if (scale) console.log(formatScaleFigure(scale));
    console.log(
      `\nPostgreSQL ${machine.postgres} (${machine.postgresServer}), ${machine.cpuModel}, ${machine.cores} cores, ` +
        `${machine.memoryGb} GB, Node ${machine.node}; scale ${settings.scale}; sections ${settings.sections.join(', ')}; ${seconds} s in all; ` +
        `load average ${machine.loadAverage.atStart} at the start, ${machine.loadAverage.atEnd} at the end.`,
    );
    // A section not run is absent from the JSON line (undefined keys are left out).
    console.log(
      JSON.stringify({
        benchmark: 'appointment-ledger',
        startedAt: startedAt.toISOString(),
        seconds,
        machine,
        settings,
        results,
        targets,
        drift,
        syncLag,
        commandLoad,
        webhookIntake,
        ui,
        scale,
      }),
    );
  } finally {
    await Promise.all(processes.map((worker) => worker.stop()));
    await server.close();
  }
}

async function startAndMeasure(settings: BenchSettings, server: BenchServer, processes: ContenderProcess[]): Promise<BenchResults> {
  for (const contender of settings.contenders) {
    const appendsUrl = await server.createDatabase(`bench_${contender}_appends`);
    const catchUpUrl = await server.createDatabase(`bench_${contender}_catch_up`);
    processes.push(ContenderProcess.start({ contender, appendsUrl, catchUpUrl, postmasterPid: server.postmasterPid }));
  }
  return measureAll(settings, processes);
}

/**
 * Each append measurement runs in rounds, the contenders taking turns within each round (in a rotated order): on this
 * shared machine the disk's flush time and the CPU left over change from one second to the next, so a contender
 * measured in one stretch of a few seconds may meet other conditions than the next one did, and the ratios between
 * them swung (8 callers at 1.71x and 0.50x COPY in two runs of the same code). A contender's rounds are then combined.
 */
const APPEND_ROUNDS = 5;
/** Far apart, so that no round's timelines (and event ids) repeat another's, in any measurement. */
const ROUND_SEED_STEP = 10_007;

/** Measurement by measurement, each contender in turn, so that all of them run under the same conditions. */
async function measureAll(settings: BenchSettings, processes: ContenderProcess[]): Promise<BenchResults> {
  const results: BenchResults = {};
  const record = async <Key extends keyof ContenderResults>(key: Key, label: string, task: WorkerTask) => {
    for (const worker of processes) {
      const name: ContenderName = worker.setup.contender;
      if (task.kind === 'catch-up' && !contenders[name].measureCatchUp) continue;
      progress(`${label}: ${name}…`);
      const figure = await worker.run<NonNullable<ContenderResults[Key]>>(task);
      results[name] = { ...results[name], [key]: figure };
      progress(`${label}: ${name} ${describe(figure)}`);
    }
  };
  const recordInRounds = async (key: 'sequential' | 'concurrent' | 'batch', label: string, taskOfRound: (round: number) => WorkerTask) => {
    const rounds = new Map<ContenderName, RoundFigure[]>();
    for (let round = 0; round < APPEND_ROUNDS; round++) {
      const turns = processes.map((_, index) => processes[(index + round) % processes.length]);
      for (const worker of turns) {
        const name: ContenderName = worker.setup.contender;
        const figure = await worker.run<RoundFigure>(taskOfRound(round));
        rounds.set(name, [...(rounds.get(name) ?? []), figure]);
        progress(`${label}, round ${round + 1} of ${APPEND_ROUNDS}: ${name} ${figure.eventsPerSecond.toLocaleString('en-US')} events/s`);
      }
    }
    for (const worker of processes) {
      const name: ContenderName = worker.setup.contender;
      const figure = combineRounds(rounds.get(name) ?? []);
      results[name] = { ...results[name], [key]: figure };
      progress(`${label}: ${name} ${describe(figure)}`);
    }
  };
  /** The first round warms each contender up fully; later ones briefly, after the other contenders' turns. */
  const warmUp = (measured: number, round: number) => (round === 0 ? warmUpCount(settings, measured * APPEND_ROUNDS) : Math.ceil(warmUpCount(settings, measured) / 2));
  const perRound = (count: number) => Math.max(1, Math.round(count / APPEND_ROUNDS));
  const single =
    (callers: number, appendsPerCaller: number) =>
    (round: number): WorkerTask => ({
      kind: 'single-appends',
      settings: {
        callers,
        appendsPerCaller: perRound(appendsPerCaller),
        warmUpAppendsPerCaller: warmUp(perRound(appendsPerCaller), round),
        seed: settings.seed + callers * 1_000 + round * ROUND_SEED_STEP,
      },
    });
  await recordInRounds('sequential', 'sequential single appends', single(1, settings.sequentialAppends));
  await recordInRounds('concurrent', `single appends, ${settings.concurrentCallers} callers`, single(settings.concurrentCallers, settings.appendsPerConcurrentCaller));
  await recordInRounds('batch', `${settings.eventsPerBatch} events per append`, (round) => ({
    kind: 'batch-appends',
    settings: {
      appends: perRound(settings.batchAppends),
      eventsPerAppend: settings.eventsPerBatch,
      warmUpAppends: warmUp(perRound(settings.batchAppends), round),
      seed: settings.seed + 99 + round * ROUND_SEED_STEP,
    },
  }));
  await record('catchUp', `catch-up over ${settings.catchUpEvents} events`, {
    kind: 'catch-up',
    settings: { events: settings.catchUpEvents, seed: settings.seed, seedChunk: settings.seedChunk },
  });
  return results;
}

function describe(figure: ThroughputFigure | CatchUpFigure): string {
  const latency = 'p99Ms' in figure ? `, p50 ${figure.p50Ms} ms, p99 ${figure.p99Ms} ms` : '';
  return `${figure.eventsPerSecond.toLocaleString('en-US')} events/s (${figure.events} events in ${figure.seconds} s${latency})`;
}

function progress(line: string): void {
  console.error(`[bench] ${line}`);
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
