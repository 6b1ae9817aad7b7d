#!/usr/bin/env node
/**
 * Issue 11, item 5: short import paths. Every relative import that climbs into another library becomes the library's
 * package alias (`#domain`, `#event-store`, …), entered through its index.ts; names the index does not export yet are
 * added to it. Also writes the aliases into package.json ("imports") and tells Jest which condition to use.
 *
 *   node scripts/codemods/import-aliases.mjs            # rewrite in place
 *   node scripts/codemods/import-aliases.mjs --dry-run  # say what would change, touch nothing
 *
 * Re-runnable: a second run finds nothing to do. It reads the code as it is when it runs (folders may have moved),
 * using the TypeScript compiler to tell a type from a value and to see what an index already exports.
 *
 * How an alias resolves (package.json "imports"):
 *   "types"       → the .ts source: `tsc` (NodeNext) type-checks against the sources and keeps `#domain` in its output
 *   "development" → the .ts source: Jest, through testEnvironmentOptions.customExportConditions (SWC compiles it)
 *   "default"     → dist/…/index.js: `node dist/apps/ledger/src/main.js` and every other built entry point
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { execFileSync } from 'node:child_process';
import ts from 'typescript';

const ROOT = resolve(dirname(new URL(import.meta.url).pathname), '../..');
const DRY_RUN = process.argv.includes('--dry-run');

/** Each library's way in. The longest `dir` that holds a file is the entry for it; `root` is the library itself. */
const ENTRIES = [
  { alias: '#domain', root: 'libs/domain', dir: 'libs/domain/src' },
  { alias: '#event-store/postgres', root: 'libs/event-store', dir: 'libs/event-store/src/postgres' },
  { alias: '#event-store/eventstoredb', root: 'libs/event-store', dir: 'libs/event-store/src/eventstoredb' },
  { alias: '#event-store', root: 'libs/event-store', dir: 'libs/event-store/src' },
  { alias: '#calcom', root: 'libs/calcom', dir: 'libs/calcom/src' },
  { alias: '#database', root: 'libs/database', dir: 'libs/database/src' },
  { alias: '#projections', root: 'projections', dir: 'projections/src' },
  { alias: '#calcom-sandbox', root: 'apps/calcom-sandbox', dir: 'apps/calcom-sandbox/src' },
];
/** Test helpers have no index: one alias per file (`#test-support/eventually`), for the tests outside test/. */
const TEST_SUPPORT = { alias: '#test-support', root: 'test', dir: 'test/support' };
/** The service is no library: a test deep in test/ that starts it gets `#ledger/ledger` instead of climbing three folders. */
const LEDGER_FILES = { alias: '#ledger', root: 'apps/ledger', dir: 'apps/ledger/src' };
/** Code that is not a library of its own; a file's "library" is the first of these (or ENTRIES' roots) holding it. */
const OTHER_ROOTS = ['apps/ledger', 'apps/admin-ui', 'test', 'bench', 'scripts'];
const SKIP = /(^|\/)(node_modules|dist|\.data|\.test-data)\/|^apps\/admin-ui\//;

const log = (...parts) => console.log(...parts);
const rel = (file) => relative(ROOT, file).split(sep).join('/');
const abs = (file) => join(ROOT, file);

function libraryOf(file) {
  const roots = [...new Set([...ENTRIES.map((entry) => entry.root), ...OTHER_ROOTS])].sort((a, b) => b.length - a.length);
  return roots.find((root) => file === root || file.startsWith(`${root}/`)) ?? null;
}

function entryOf(file) {
  return [...ENTRIES].sort((a, b) => b.dir.length - a.dir.length).find((entry) => file.startsWith(`${entry.dir}/`)) ?? null;
}

function resolveRelative(fromFile, specifier) {
  const base = resolve(dirname(abs(fromFile)), specifier);
  const candidates = [base.replace(/\.js$/, '.ts'), base.replace(/\.js$/, '.tsx'), `${base}.ts`, join(base, 'index.ts'), base];
  const found = candidates.find((candidate) => existsSync(candidate) && candidate.match(/\.tsx?$/));
  return found ? rel(found) : null;
}

const climbs = (specifier) => (specifier.match(/\.\.\//g) ?? []).length;

// ---------------------------------------------------------------------------------------------------------------
// 1. package.json "imports" and Jest's condition: written first, so the compiler below already resolves the aliases.

function aliasTarget(source) {
  return { types: `./${source}`, development: `./${source}`, default: `./dist/${source.replace(/\.ts$/, '.js')}` };
}

function writePackageImports() {
  const file = abs('package.json');
  const text = readFileSync(file, 'utf8');
  const pkg = JSON.parse(text);
  const imports = { ...(pkg.imports ?? {}) };
  for (const entry of ENTRIES) imports[entry.alias] = aliasTarget(`${entry.dir}/index.ts`);
  // Tests only (never built): the .ts file itself, for tsc and Jest alike.
  imports[`${TEST_SUPPORT.alias}/*`] = { types: `./${TEST_SUPPORT.dir}/*.ts`, development: `./${TEST_SUPPORT.dir}/*.ts` };
  imports[`${LEDGER_FILES.alias}/*`] = aliasTarget(`${LEDGER_FILES.dir}/*.ts`);
  if (JSON.stringify(imports) === JSON.stringify(pkg.imports)) return false;
  // Keep the key order people know: "imports" after "engines" (or at the end).
  const ordered = {};
  for (const [key, value] of Object.entries(pkg)) {
    if (key === 'imports') continue;
    ordered[key] = value;
    if (key === 'engines') ordered.imports = imports;
  }
  if (!ordered.imports) ordered.imports = imports;
  if (!DRY_RUN) writeFileSync(file, `${JSON.stringify(ordered, null, 2)}\n`);
  log(`package.json: "imports" ${pkg.imports ? 'updated' : 'added'} (${Object.keys(imports).length} aliases)`);
  return true;
}

function writeJestCondition() {
  const file = abs('jest.config.js');
  const text = readFileSync(file, 'utf8');
  if (text.includes('customExportConditions')) return false;
  const anchor = "  testEnvironment: 'node',\n";
  if (!text.includes(anchor)) throw new Error(`jest.config.js: cannot find ${JSON.stringify(anchor)} to add the "development" condition after`);
  const line =
    '  // Package imports (#domain, #event-store, …) give Jest the TypeScript sources; `node dist/…` gets the build.\n' +
    "  testEnvironmentOptions: { customExportConditions: ['development', 'node', 'node-addons'] },\n";
  if (!DRY_RUN) writeFileSync(file, text.replace(anchor, anchor + line));
  log('jest.config.js: "development" export condition added');
  return true;
}

/** A library without an index.ts gets one, empty: the names its users need are added below. */
function ensureIndexFiles() {
  for (const entry of ENTRIES) {
    const index = abs(`${entry.dir}/index.ts`);
    if (existsSync(index)) continue;
    if (!existsSync(abs(entry.dir))) throw new Error(`${entry.dir} does not exist: update ENTRIES in ${rel(new URL(import.meta.url).pathname)}`);
    const text = `/** The way into ${entry.root} from outside it (${entry.alias}): other folders import only what is exported here. */\n`;
    if (!DRY_RUN) writeFileSync(index, text);
    log(`${entry.dir}/index.ts: created`);
  }
}

// ---------------------------------------------------------------------------------------------------------------
// 2. The rewrite.

function trackedTypeScriptFiles() {
  const out = execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard', '--', '*.ts'], { cwd: ROOT, encoding: 'utf8' });
  return out
    .split('\n')
    .filter(Boolean)
    .filter((file) => !SKIP.test(file) && !file.endsWith('.d.ts') && existsSync(abs(file)));
}

function createProgram(files) {
  const config = ts.getParsedCommandLineOfConfigFile(abs('tsconfig.json'), {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => {} });
  const indexes = ENTRIES.map((entry) => abs(`${entry.dir}/index.ts`)).filter((file) => existsSync(file));
  return ts.createProgram({ rootNames: [...new Set([...files.map(abs), ...indexes])], options: { ...config.options, noEmit: true } });
}

function main() {
  writePackageImports();
  writeJestCondition();
  ensureIndexFiles();

  const files = trackedTypeScriptFiles();
  const program = createProgram(files);
  const checker = program.getTypeChecker();

  const moduleExports = new Map();
  function exportsOf(file) {
    if (!moduleExports.has(file)) {
      const source = program.getSourceFile(abs(file));
      const symbol = source && checker.getSymbolAtLocation(source);
      const map = new Map();
      for (const exported of symbol ? checker.getExportsOfModule(symbol) : []) map.set(exported.name, exported);
      moduleExports.set(file, map);
    }
    return moduleExports.get(file);
  }
  const target = (symbol) => (symbol && symbol.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(symbol) : symbol);
  const isValue = (symbol) => Boolean(target(symbol).flags & ts.SymbolFlags.Value);

  /** index file → module file → Map(name → 'type' | 'value') */
  const additions = new Map();
  const problems = [];
  let rewritten = 0;

  /** Can every name reach `name` through the index? Schedules the missing re-exports; false on a clash. */
  function routeThroughIndex(index, module, names, where) {
    const existing = exportsOf(index);
    const moduleNames = exportsOf(module);
    const pending = additions.get(index) ?? new Map();
    const planned = [];
    for (const name of names) {
      const wanted = moduleNames.get(name);
      if (!wanted) {
        problems.push(`${where}: ${module} has no export ${name}`);
        return false;
      }
      const present = existing.get(name);
      if (present) {
        if (target(present) !== target(wanted)) {
          problems.push(`${where}: ${index} already exports another ${name}; left relative`);
          return false;
        }
        continue;
      }
      const otherModule = [...pending].find(([other, set]) => other !== module && set.has(name));
      if (otherModule) {
        problems.push(`${where}: ${name} would come into ${index} from both ${otherModule[0]} and ${module}; left relative`);
        return false;
      }
      planned.push([name, isValue(wanted) ? 'value' : 'type']);
    }
    if (planned.length) {
      const set = pending.get(module) ?? new Map();
      for (const [name, kind] of planned) set.set(name, kind);
      pending.set(module, set);
      additions.set(index, pending);
    }
    return true;
  }

  for (const file of files) {
    const source = program.getSourceFile(abs(file));
    if (!source) continue;
    const from = libraryOf(file);
    const edits = [];
    for (const statement of source.statements) {
      const isImport = ts.isImportDeclaration(statement);
      const isExport = ts.isExportDeclaration(statement) && statement.moduleSpecifier;
      if (!isImport && !isExport) continue;
      const literal = statement.moduleSpecifier;
      if (!ts.isStringLiteral(literal) || !literal.text.startsWith('.')) continue;
      const resolved = resolveRelative(file, literal.text);
      if (!resolved) continue;
      const where = `${file}:${source.getLineAndCharacterOfPosition(statement.getStart()).line + 1}`;
      let alias;

      if (resolved.startsWith(`${TEST_SUPPORT.dir}/`) && from !== TEST_SUPPORT.root) {
        alias = `${TEST_SUPPORT.alias}/${resolved.slice(TEST_SUPPORT.dir.length + 1).replace(/\.ts$/, '')}`;
      } else if (resolved.startsWith(`${LEDGER_FILES.dir}/`) && from !== LEDGER_FILES.root && climbs(literal.text) > 2) {
        alias = `${LEDGER_FILES.alias}/${resolved.slice(LEDGER_FILES.dir.length + 1).replace(/\.ts$/, '')}`;
      } else {
        const entry = entryOf(resolved);
        if (!entry || libraryOf(resolved) === from) {
          if (climbs(literal.text) > 2) problems.push(`${where}: ${literal.text} climbs more than two folders inside ${from}; left as it is`);
          continue;
        }
        const index = `${entry.dir}/index.ts`;
        if (resolved !== index) {
          const names = importedNames(statement);
          if (names === null) {
            problems.push(`${where}: ${literal.text} (a default, namespace, side-effect or \`export *\` import of an inside module); left relative`);
            continue;
          }
          if (!routeThroughIndex(index, resolved, names, where)) continue;
        }
        alias = entry.alias;
      }
      edits.push({ start: literal.getStart(source), end: literal.getEnd(), text: `'${alias}'` });
    }
    if (!edits.length) continue;
    let text = source.getFullText();
    for (const edit of edits.sort((a, b) => b.start - a.start)) text = text.slice(0, edit.start) + edit.text + text.slice(edit.end);
    text = mergeAliasImports(text, file);
    rewritten += edits.length;
    if (!DRY_RUN) writeFileSync(abs(file), text);
    log(`${file}: ${edits.length} import${edits.length === 1 ? '' : 's'} → ${[...new Set(edits.map((edit) => edit.text))].join(', ')}`);
  }

  for (const [index, modules] of additions) {
    const lines = [...modules].map(([module, names]) => {
      let specifier = relative(dirname(abs(index)), abs(module))
        .split(sep)
        .join('/')
        .replace(/\.ts$/, '.js');
      if (!specifier.startsWith('.')) specifier = `./${specifier}`;
      const sorted = [...names].sort(([a], [b]) => a.localeCompare(b));
      const parts = sorted.map(([name, kind]) => (kind === 'type' ? `type ${name}` : name));
      return `export { ${parts.join(', ')} } from '${specifier}';`;
    });
    const current = readFileSync(abs(index), 'utf8');
    if (!DRY_RUN) writeFileSync(abs(index), `${current.replace(/\n*$/, '\n')}${lines.join('\n')}\n`);
    log(`${index}: ${lines.length} export line${lines.length === 1 ? '' : 's'} added`);
  }

  log(`\n${rewritten} import${rewritten === 1 ? '' : 's'} ${DRY_RUN ? 'would be ' : ''}rewritten in ${files.length} files scanned.`);
  if (problems.length) {
    log(`\nLeft as they are (${problems.length}):`);
    for (const problem of problems) log(`  ${problem}`);
  }
}

/** The names an import or re-export takes, or null when it takes the module as a whole. */
function importedNames(statement) {
  if (ts.isImportDeclaration(statement)) {
    const clause = statement.importClause;
    if (!clause || clause.name || !clause.namedBindings || !ts.isNamedImports(clause.namedBindings)) return null;
    return clause.namedBindings.elements.map((element) => (element.propertyName ?? element.name).text);
  }
  if (!statement.exportClause || !ts.isNamedExports(statement.exportClause)) return null;
  return statement.exportClause.elements.map((element) => (element.propertyName ?? element.name).text);
}

/** Two internals of one library now import from the same alias: one `import { … } from '#x'` per alias. */
function mergeAliasImports(text, file) {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const groups = new Map();
  for (const statement of source.statements) {
    if (!ts.isImportDeclaration(statement) || !ts.isStringLiteral(statement.moduleSpecifier)) continue;
    const specifier = statement.moduleSpecifier.text;
    const clause = statement.importClause;
    if (!specifier.startsWith('#') || !clause || clause.name || !clause.namedBindings || !ts.isNamedImports(clause.namedBindings)) continue;
    const group = groups.get(specifier) ?? [];
    group.push(statement);
    groups.set(specifier, group);
  }
  const edits = [];
  for (const [specifier, statements] of groups) {
    if (statements.length < 2) continue;
    const allTypes = statements.every((statement) => statement.importClause.isTypeOnly);
    const elements = [];
    for (const statement of statements) {
      for (const element of statement.importClause.namedBindings.elements) {
        const typeOnly = !allTypes && (statement.importClause.isTypeOnly || element.isTypeOnly);
        const name = element.propertyName ? `${element.propertyName.text} as ${element.name.text}` : element.name.text;
        const written = `${typeOnly ? 'type ' : ''}${name}`;
        if (!elements.includes(written)) elements.push(written);
      }
    }
    const merged = `import ${allTypes ? 'type ' : ''}{ ${elements.join(', ')} } from '${specifier}';`;
    const [first, ...rest] = statements;
    edits.push({ start: first.getStart(source), end: first.getEnd(), text: merged });
    for (const statement of rest) {
      let end = statement.getEnd();
      if (text[end] === '\n') end += 1;
      edits.push({ start: statement.getFullStart() + (text.slice(statement.getFullStart(), statement.getStart(source)).lastIndexOf('\n') + 1), end, text: '' });
    }
  }
  for (const edit of edits.sort((a, b) => b.start - a.start)) text = text.slice(0, edit.start) + edit.text + text.slice(edit.end);
  return text;
}

main();
