#!/usr/bin/env node
// Builds the server and the bench into a folder of one's own (`node scripts/build-into.mjs .test-data/my-build`), with
// the package.json its `#…` imports resolve against, so a benchmark or a spawned ledger runs exactly that build while
// someone else's `npm run build` rewrites ./dist. Run a bench from it: `node <folder>/bench/run.js --sections=…`.
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import { join, resolve } from 'node:path';

const outDir = resolve(process.argv[2] ?? '');
if (!process.argv[2]) {
  console.error('usage: node scripts/build-into.mjs <folder>');
  process.exit(1);
}
try {
  execFileSync('npx', ['tsc', '-p', 'tsconfig.build.json', '--outDir', outDir], { stdio: 'inherit' });
} catch {
  // tsc still emits past type errors; a missing entry point below is what stops us.
}
if (!existsSync(join(outDir, 'apps', 'ledger', 'src', 'main.js'))) {
  console.error(`the build did not produce ${outDir}/apps/ledger/src/main.js`);
  process.exit(1);
}
const root = JSON.parse(readFileSync('package.json', 'utf8'));
const imports = Object.fromEntries(
  Object.entries(root.imports ?? {})
    .filter(([, targets]) => typeof targets.default === 'string' && targets.default.startsWith('./dist/'))
    .map(([name, targets]) => [name, `./${targets.default.slice('./dist/'.length)}`]),
);
writeFileSync(join(outDir, 'package.json'), `${JSON.stringify({ type: 'module', imports }, null, 2)}\n`);
console.error(`built into ${outDir}`);
