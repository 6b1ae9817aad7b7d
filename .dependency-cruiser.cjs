/**
 * The layering of STYLE.md, checked by a tool instead of by hope (`npm run lint:layers`).
 *
 *   libs/domain        pure: imports nothing outside itself (Node's built-ins only in its tests)
 *   libs/*             never import apps/ or projections/ (a lib's tests may start the Cal.com sandbox)
 *   projections/       never import apps/
 *   drivers            only libs/event-store and libs/database import pg / @eventstore/db-client / pg-copy-streams;
 *                      only libs/calcom imports the HTTP client (got); tests and bench/ may reach a database directly
 *   libraries          entered through their index.ts from outside (libs/event-store's postgres/ and eventstoredb/
 *                      folders have their own index.ts: the adapters are chosen by open-event-store.ts)
 *   no cycles
 */
const LIBS = ['domain', 'event-store', 'calcom', 'database'];
const TESTS = '(^|/)test/|\\.(spec|test)\\.ts$';

/** A library's own files and its index files are the only ways in; everything else is its inside. */
const throughIndex = LIBS.map((lib) => ({
  name: `enter-${lib}-through-its-index`,
  comment: `libs/${lib} is entered through libs/${lib}/src/index.ts (alias #${lib}), so its inside can change freely`,
  severity: 'error',
  from: { pathNot: `^libs/${lib}/` },
  to: { path: `^libs/${lib}/src/`, pathNot: [`^libs/${lib}/src/index[.]ts$`, `^libs/${lib}/src/[a-z-]+/index[.]ts$`] },
}));

module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      comment: 'A cycle makes load order matter and hides which module owns what (a cycle of type imports alone is erased).',
      severity: 'error',
      from: {},
      to: { circular: true, viaOnly: { dependencyTypesNot: ['type-only'] } },
    },
    {
      name: 'domain-is-pure',
      comment: 'libs/domain imports no Nest, no ORM, no HTTP client, no other library: it is tested in microseconds.',
      severity: 'error',
      from: { path: '^libs/domain/src/' },
      to: { pathNot: '^libs/domain/src/' },
    },
    {
      name: 'domain-tests-stay-in-the-domain',
      comment: "The domain's tests need only the domain and Node's built-ins.",
      severity: 'error',
      from: { path: '^libs/domain/test/' },
      to: { pathNot: '^libs/domain/', dependencyTypesNot: ['core'] },
    },
    {
      name: 'libs-never-import-apps-or-projections',
      severity: 'error',
      from: { path: '^libs/[^/]+/src/' },
      to: { path: '^(apps|projections)/' },
    },
    {
      name: 'lib-tests-use-only-the-sandbox-app',
      comment: "A library's tests may talk to the Cal.com sandbox over HTTP; nothing else of apps/ or projections/.",
      severity: 'error',
      from: { path: '^libs/[^/]+/test/' },
      to: { path: '^(apps|projections)/', pathNot: '^apps/calcom-sandbox/src/' },
    },
    {
      name: 'projections-never-import-apps',
      severity: 'error',
      from: { path: '^projections/' },
      to: { path: '^apps/' },
    },
    {
      name: 'only-storage-libs-touch-database-drivers',
      comment: 'One adapter per outside thing: swapping PostgreSQL for EventStoreDB is a change of one folder.',
      severity: 'error',
      from: { pathNot: [`^libs/(event-store|database)/`, '^bench/', TESTS] },
      to: { dependencyTypes: ['npm', 'npm-dev'], path: 'node_modules/(pg|pg-copy-streams|@eventstore/db-client)/' },
    },
    {
      name: 'only-the-calcom-client-speaks-http',
      severity: 'error',
      from: { pathNot: ['^libs/calcom/src/', TESTS] },
      to: { dependencyTypes: ['npm', 'npm-dev'], path: 'node_modules/got/' },
    },
    {
      name: 'not-to-unresolvable',
      comment: 'An import that does not resolve fails at run time.',
      severity: 'error',
      from: {},
      to: { couldNotResolve: true },
    },
    ...throughIndex,
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(^|/)(dist|\\.data|\\.test-data|coverage)/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['types', 'import', 'require', 'node', 'default'],
      extensions: ['.ts', '.tsx', '.js', '.mjs', '.cjs', '.d.ts'],
      mainFields: ['module', 'main', 'types', 'typings'],
    },
    reporterOptions: { text: { highlightFocused: true } },
  },
};
