#!/usr/bin/env node
/**
 * Issue 11, item 6: names that say the job. Moves files with `git mv`, renames their identifiers everywhere (code,
 * comments, docs/), and rewrites every relative import of a moved file (and the imports inside it).
 *
 *   node scripts/codemods/renames.mjs            # rename in place
 *   node scripts/codemods/renames.mjs --dry-run  # say what would change, touch nothing
 *
 * Re-runnable: a move whose source is gone is skipped, an identifier no longer found is nothing to do.
 * What is stored or sent stays as it is: the subscription name 'calcom-webhook-translator' (checkpoints, parked
 * events), actors and `source` values in events, metric names, environment variables. README.md is left to a person.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, posix, relative, resolve, sep } from 'node:path';

const ROOT = resolve(dirname(new URL(import.meta.url).pathname), '../..');
const DRY_RUN = process.argv.includes('--dry-run');
const L = 'apps/ledger/src';

/** old path → new path. Why each: the comment beside it. */
const MOVES = [
  // A durable subscription that feeds facts to the translator, not a translator.
  [`${L}/calcom-webhooks/webhook-translator.ts`, `${L}/calcom-webhooks/webhook-facts.subscription.ts`],
  // This one does the translating: one Cal.com fact → the ledger's events.
  [`${L}/calcom-webhooks/webhook-fact.applier.ts`, `${L}/calcom-webhooks/webhook-fact.translator.ts`],
  // calcom-webhooks/ holds what comes from Cal.com's webhooks; conflicts and notifications are their own features.
  [`${L}/calcom-webhooks/conflict-resolution.service.ts`, `${L}/conflicts/conflict-resolution.service.ts`],
  [`${L}/calcom-webhooks/conflicts.controller.ts`, `${L}/conflicts/conflicts.controller.ts`],
  [`${L}/calcom-webhooks/notification-sender.ts`, `${L}/notifications/notification-sender.ts`],
  [`${L}/calcom-webhooks/notifications.controller.ts`, `${L}/notifications/notifications.controller.ts`],
  // "Worker" keeps one meaning: the leader-elected background work. One appointment's sync loop is a run.
  [`${L}/calcom-sync/calcom-sync.worker.ts`, `${L}/calcom-sync/calcom-sync.runner.ts`],
  // "Snapshot" is kept for event-sourcing snapshots (there are none): loaded state is the decision's inputs, the
  // kept part of a Cal.com booking is a copy.
  [`${L}/calcom-sync/calcom-sync.snapshot.ts`, `${L}/calcom-sync/calcom-sync.inputs.ts`],
  [`${L}/calcom-sync/calcom-booking.snapshot.ts`, `${L}/calcom-sync/calcom-booking.copy.ts`],
  // Drift: the domain plans a heal, the app appends it, a check runner runs one check (and heals by policy).
  [`${L}/drift/drift-reconciler.ts`, `${L}/drift/drift-check.runner.ts`],
  [`${L}/drift/drift-healer.ts`, `${L}/drift/drift-heal.appender.ts`],
  ['libs/domain/src/drift/drift-heal.ts', 'libs/domain/src/drift/drift-heal.plan.ts'],
  ['libs/domain/test/drift/drift-heal.spec.ts', 'libs/domain/test/drift/drift-heal.plan.spec.ts'],
];

/** old identifier → new, whole words, in code, comments and docs. */
const IDENTIFIERS = [
  ['CalcomWebhookTranslator', 'WebhookFactsSubscription'],
  ['TranslatorCheckpoints', 'WebhookFactsCheckpoints'],
  ['WEBHOOK_TRANSLATOR', 'WEBHOOK_FACTS_SUBSCRIPTION'],
  ['WebhookFactApplier', 'WebhookFactTranslator'],
  ['CalcomSyncWorkerDeps', 'CalcomSyncRunnerDeps'],
  ['CalcomSyncWorker', 'CalcomSyncRunner'],
  ['loadCalcomSyncSnapshot', 'loadCalcomSyncInputs'],
  ['CalcomSyncSnapshot', 'CalcomSyncInputs'],
  ['BookingSnapshot', 'BookingCopy'],
  ['bookingSnapshot', 'bookingCopy'],
  ['CatalogSnapshot', 'CatalogLookup'],
  ['DriftReconcilerLogger', 'DriftCheckRunnerLogger'],
  ['DriftReconciler', 'DriftCheckRunner'],
  ['DriftHealer', 'DriftHealAppender'],
];

const log = (...parts) => console.log(...parts);
const abs = (file) => join(ROOT, file);
const toPosix = (path) => path.split(sep).join('/');

function trackedFiles() {
  const out = execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard'], { cwd: ROOT, encoding: 'utf8' });
  return out
    .split('\n')
    .filter(Boolean)
    .filter((file) => existsSync(abs(file)))
    .filter((file) => !/(^|\/)(node_modules|dist|\.data|\.test-data)\//.test(file) && !file.startsWith('apps/calcom-sandbox/reference/'))
    .filter((file) => file !== 'README.md' && file !== 'scripts/codemods/renames.mjs');
}

const moves = MOVES.filter(([from, to]) => {
  if (existsSync(abs(from)) && !existsSync(abs(to))) return true;
  if (existsSync(abs(from)) && existsSync(abs(to))) throw new Error(`both ${from} and ${to} exist: settle that by hand`);
  if (!existsSync(abs(to))) log(`skipped: neither ${from} nor ${to} exists (renamed by hand? update MOVES)`);
  return false;
});
const newPath = new Map(moves);
const where = (file) => newPath.get(file) ?? file;

/** Relative imports, static and dynamic; `export … from` too. */
const SPECIFIER = /((?:from|import)\s*\(?\s*)(['"])(\.{1,2}\/[^'"\n]+)\2/g;

function rewriteImports(file, text) {
  if (!/\.(ts|tsx|mts|mjs|js)$/.test(file)) return text;
  return text.replace(SPECIFIER, (whole, lead, quote, specifier) => {
    const target = toPosix(relative(ROOT, resolve(dirname(abs(file)), specifier)));
    const source = /\.js$/.test(target) ? target.replace(/\.js$/, '.ts') : `${target}.ts`;
    const movedTarget = newPath.has(source) ? newPath.get(source).replace(/\.ts$/, specifier.endsWith('.js') ? '.js' : '') : target;
    if (!newPath.has(source) && !newPath.has(file)) return whole;
    let next = posix.relative(posix.dirname(where(file)), movedTarget);
    if (!next.startsWith('.')) next = `./${next}`;
    return next === specifier ? whole : `${lead}${quote}${next}${quote}`;
  });
}

/** Mentions of a moved file by name (in comments and docs): its new name. */
function rewriteMentions(text) {
  let out = text;
  for (const [from, to] of MOVES) {
    const oldName = posix.basename(from);
    const newName = posix.basename(to);
    if (oldName === newName) continue;
    out = out.replace(new RegExp(`(?<![\\w.-])${oldName.replace(/[.]/g, '\\.')}(?![\\w-])`, 'g'), newName);
    out = out.replace(new RegExp(`(?<![\\w-])${oldName.replace(/\.ts$/, '').replace(/[.]/g, '\\.')}(?=\\.js\\b)`, 'g'), newName.replace(/\.ts$/, ''));
  }
  return out;
}

function rewriteIdentifiers(text) {
  let out = text;
  for (const [from, to] of IDENTIFIERS) out = out.replace(new RegExp(`\\b${from}\\b`, 'g'), to);
  return out;
}

function main() {
  const files = trackedFiles().filter((file) => /\.(ts|tsx|mts|mjs|js|md)$/.test(file));
  let changed = 0;
  const contents = new Map();
  for (const file of files) {
    const before = readFileSync(abs(file), 'utf8');
    let after = rewriteImports(file, before);
    after = rewriteIdentifiers(after);
    after = rewriteMentions(after);
    if (after !== before) contents.set(file, after);
  }
  for (const [from, to] of moves) {
    log(`git mv ${from} ${to}`);
    if (DRY_RUN) continue;
    mkdirSync(dirname(abs(to)), { recursive: true });
    execFileSync('git', ['mv', from, to], { cwd: ROOT });
  }
  for (const [file, text] of contents) {
    changed += 1;
    log(`rewrote ${where(file)}`);
    if (!DRY_RUN) writeFileSync(abs(where(file)), text);
  }
  log(`\n${moves.length} file${moves.length === 1 ? '' : 's'} ${DRY_RUN ? 'would be ' : ''}moved, ${changed} ${DRY_RUN ? 'would be ' : ''}rewritten.`);
  const readme = readFileSync(abs('README.md'), 'utf8').split('\n');
  const words = [...IDENTIFIERS.map(([from]) => from), ...MOVES.map(([from]) => posix.basename(from))];
  const mentions = readme.map((line, index) => [index + 1, line]).filter(([, line]) => words.some((word) => line.includes(word)));
  if (mentions.length) log(`\nREADME.md still names (a person updates it):\n${mentions.map(([n, line]) => `  ${n}: ${line.slice(0, 160)}`).join('\n')}`);
}

main();
