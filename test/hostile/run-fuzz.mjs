// `npm run fuzz`: the hostile suite (test/hostile) with many runs per property and a fresh random seed, printed
// before and after so any failure can be replayed: `FUZZ_SEED=<n> npm run fuzz`. FUZZ_RUNS sets the runs per
// property (2,000 unless given); FUZZ_PATH (from fast-check's report) replays just the failing case. Extra arguments
// go to Jest, e.g. `npm run fuzz -- -t 'form-encoded'`.
import { spawnSync } from 'node:child_process';
import { randomInt } from 'node:crypto';

const seed = process.env.FUZZ_SEED ?? String(randomInt(0, 2 ** 31 - 1));
const runs = process.env.FUZZ_RUNS ?? '2000';
const replay = `FUZZ_SEED=${seed} FUZZ_RUNS=${runs}${process.env.FUZZ_PATH ? ` FUZZ_PATH=${process.env.FUZZ_PATH}` : ''} npm run fuzz`;

console.log(`hostile suite: seed ${seed}, ${runs} runs per property (replay: ${replay})`);
const jest = spawnSync(process.execPath, ['--experimental-vm-modules', 'node_modules/jest/bin/jest.js', 'test/hostile', '--runInBand', ...process.argv.slice(2)], {
  stdio: 'inherit',
  env: { ...process.env, FUZZ_SEED: seed, FUZZ_RUNS: runs },
});
console.log(`hostile suite: seed ${seed}, ${runs} runs per property: ${jest.status === 0 ? 'passed' : 'FAILED'} (replay: ${replay})`);
process.exit(jest.status ?? 1);
