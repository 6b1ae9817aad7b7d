import type { Parameters as RunParameters } from 'fast-check';

/**
 * How hard the hostile suite tries. Inside `npm test`: a fixed seed and a few dozen runs per property, so a failure
 * is the same on every machine. `npm run fuzz` (test/hostile/run-fuzz.mjs) sets FUZZ_SEED (random unless given) and
 * FUZZ_RUNS (2,000 unless given); FUZZ_PATH, from a failure's report, replays exactly the failing case.
 */
export const FIXED_SEED = 20_261_202;

const seed = process.env.FUZZ_SEED === undefined ? FIXED_SEED : Number(process.env.FUZZ_SEED);
if (!Number.isInteger(seed)) throw new Error(`FUZZ_SEED must be an integer, not ${process.env.FUZZ_SEED}`);
const runs = process.env.FUZZ_RUNS === undefined ? null : Number(process.env.FUZZ_RUNS);
if (runs !== null && !(Number.isInteger(runs) && runs > 0)) throw new Error(`FUZZ_RUNS must be a positive integer, not ${process.env.FUZZ_RUNS}`);
const path = process.env.FUZZ_PATH;

/**
 * fast-check's parameters for a property that runs `testRuns` times inside `npm test`. `examples` (the cases issue 9
 * reported) run first on every run, whatever the seed: a known class can never slip past an unlucky one.
 */
export function runParameters<T>(testRuns: number, examples: T[] = []): RunParameters<T> {
  return { seed, numRuns: runs ?? testRuns, examples, ...(path ? { path, endOnFailure: true } : {}) };
}

/** Jest's timeout for such a property: generous when fuzzing, since each run is a round trip or two. */
export function propertyTimeoutMs(testRuns: number): number {
  return Math.max(60_000, (runs ?? testRuns) * 1_000);
}

export const fuzzSettings = { seed, runs, path };
