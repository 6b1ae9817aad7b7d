import { contenderNames, isContenderName, type ContenderName } from './contenders/contenders.js';

/** The sections of a run, in the order they run and print. */
export const sectionNames = ['appends', 'drift', 'sync-lag', 'command-load', 'webhook-intake', 'ui', 'scale'] as const;
export type SectionName = (typeof sectionNames)[number];

export interface BenchSettings {
  scale: number;
  sections: SectionName[];
  contenders: ContenderName[];
  sequentialAppends: number;
  concurrentCallers: number;
  appendsPerConcurrentCaller: number;
  batchAppends: number;
  eventsPerBatch: number;
  catchUpEvents: number;
  /** Unmeasured appends before each measurement, as a share of the measured ones. */
  warmUpShare: number;
  /** Catch-up histories are seeded this many events per transaction. */
  seedChunk: number;
  seed: number;
  /** Appointments the scale section grows its ledger to, in turn. */
  scaleSizes: number[];
}

export const USAGE = `npm run bench [-- --scale=0.1] [--contenders=ledger,emmett,copy] [--sections=ui,sync-lag]
  --scale / BENCH_SCALE            multiplies every count (default 1: 2,000 sequential appends, 8x1,000 concurrent,
                                   200x100 batched, 100,000 events for catch-up)
  --contenders / BENCH_CONTENDERS  which contenders to run (default all)
  --sections / BENCH_SECTIONS      which sections to run, in their usual order (default all: ${sectionNames.join(', ')});
                                   appends is the contenders' table (appends and catch-up), ui the admin UI in headless Chromium
  --scale-sizes / BENCH_SCALE_SIZES appointments the scale section grows one ledger to (default 10000,100000,1000000;
                                   not multiplied by --scale)
  DATABASE_URL                     use this PostgreSQL server (needs CREATEDB) instead of an embedded one`;

/** Flags win over environment variables. */
export function readBenchSettings(env: Record<string, string | undefined>, args: readonly string[]): BenchSettings {
  const flags = new Map(
    args
      .filter((arg) => arg.startsWith('--'))
      .map((arg) => {
        const [name, ...value] = arg.slice(2).split('=');
        return [name, value.join('=')] as const;
      }),
  );
  const scale = Number(flags.get('scale') ?? env.BENCH_SCALE ?? 1);
  if (!(scale > 0)) throw new Error(`--scale must be a positive number\n${USAGE}`);
  const names = (flags.get('contenders') ?? env.BENCH_CONTENDERS ?? contenderNames.join(',')).split(',').map((name) => name.trim());
  const unknown = names.filter((name) => !isContenderName(name));
  if (unknown.length > 0) throw new Error(`Unknown contender(s) ${unknown.join(', ')}\n${USAGE}`);
  const sections = (flags.get('sections') ?? env.BENCH_SECTIONS ?? sectionNames.join(',')).split(',').map((name) => name.trim());
  const unknownSections = sections.filter((name) => !(sectionNames as readonly string[]).includes(name));
  // Quoted and cut short: a name with a control character or of any length is shown, not echoed in full.
  if (unknownSections.length > 0) throw new Error(`Unknown section(s) ${unknownSections.map((name) => JSON.stringify(name.slice(0, 40))).join(', ')}\n${USAGE}`);
  const scaleSizes = (flags.get('scale-sizes') ?? env.BENCH_SCALE_SIZES ?? '10000,100000,1000000').split(',').map(Number);
  if (!scaleSizes.every((size, index) => Number.isInteger(size) && size >= 100 && size > (scaleSizes[index - 1] ?? 0))) {
    throw new Error(`--scale-sizes must be growing whole numbers of appointments, each at least 100\n${USAGE}`);
  }
  const scaled = (count: number, minimum: number) => Math.max(minimum, Math.round(count * scale));
  return {
    scale,
    sections: sectionNames.filter((name) => sections.includes(name)),
    contenders: contenderNames.filter((name) => names.includes(name)),
    sequentialAppends: scaled(2_000, 100),
    concurrentCallers: 8,
    appendsPerConcurrentCaller: scaled(1_000, 50),
    batchAppends: scaled(200, 10),
    eventsPerBatch: 100,
    catchUpEvents: scaled(100_000, 5_000),
    warmUpShare: 0.1,
    seedChunk: 5_000,
    seed: 20_300_107,
    scaleSizes,
  };
}

export function warmUpCount(settings: BenchSettings, measured: number): number {
  return Math.max(10, Math.round(measured * settings.warmUpShare));
}
