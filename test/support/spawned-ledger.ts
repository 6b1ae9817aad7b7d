import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { createHash, randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readdir, readFile, rename, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join, relative } from 'node:path';
import { promisify } from 'node:util';
import { eventually } from './eventually.js';

const run = promisify(execFile);

/**
 * The ledger as a user runs it: compiled with the build's tsconfig, then `node …/apps/ledger/src/main.js` with its
 * settings in the environment. A compile is ~15 s of CPU (80 s at load 16 on two cores), so the test files of a run
 * share one build per state of the sources: .test-data/build-<hash of what tsc reads>. Compiled into a staging folder
 * of its own and renamed into place whole, so a test file never reads another's half-written output; two files that
 * miss at the same time both compile, and the second rename loses harmlessly.
 */
export class BuiltLedger {
  private constructor(readonly outDir: string) {}

  static async build(): Promise<BuiltLedger> {
    const root = process.cwd();
    const testData = join(root, '.test-data');
    const sources = await sourcesHash(root);
    const shared = join(testData, `build-${sources}`);
    await removeStaleBuilds(testData, shared);
    // The manifest is written last, so it marks a complete build.
    if (existsSync(join(shared, 'package.json'))) {
      const now = new Date();
      await utimes(shared, now, now);
      return new BuiltLedger(shared);
    }
    const staging = `${shared}.${randomUUID().slice(0, 8)}.tmp`;
    // Type errors elsewhere in the tree do not stop tsc from emitting; a missing entry point does stop the test.
    await run('npx', ['tsc', '-p', 'tsconfig.build.json', '--outDir', staging], { cwd: root }).catch(() => undefined);
    if (!existsSync(new BuiltLedger(staging).main)) throw new Error(`the build did not produce ${new BuiltLedger(staging).main}`);
    await writeBuildManifest(staging);
    // Sources edited during the compile: this build belongs to no hash, and is this file's alone until it goes stale.
    if ((await sourcesHash(root)) !== sources) return new BuiltLedger(staging);
    await rename(staging, shared).catch(() => rm(staging, { recursive: true, force: true }));
    return new BuiltLedger(shared);
  }

  get main(): string {
    return join(this.outDir, 'apps', 'ledger', 'src', 'main.js');
  }

  start(env: Record<string, string>): SpawnedLedger {
    return new SpawnedLedger(spawn(process.execPath, [this.main], { env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] }), env);
  }

  /** Nothing to do: the build is shared with the run's other test files, and removed once stale (see build()). */
  async remove(): Promise<void> {}
}

/** What tsc reads for the build: the sources, the settings, the dependencies' versions. */
async function sourcesHash(root: string): Promise<string> {
  const files = ['package.json', 'package-lock.json', 'tsconfig.json', 'tsconfig.build.json'];
  for (const folder of ['apps', 'libs', 'projections', 'bench']) {
    for (const entry of await readdir(join(root, folder), { recursive: true, withFileTypes: true })) {
      const path = relative(root, join(entry.parentPath, entry.name));
      if (entry.isFile() && !path.split('/').includes('node_modules')) files.push(path);
    }
  }
  const hash = createHash('sha256');
  for (const file of files.sort())
    hash
      .update(`${file}\0`)
      .update(await readFile(join(root, file)).catch(() => ''))
      .update('\0');
  return hash.digest('hex').slice(0, 16);
}

/** Builds of other states of the sources, and staging folders of compiles that died, once untouched for two hours. */
async function removeStaleBuilds(testData: string, keep: string): Promise<void> {
  const cutoff = Date.now() - 2 * 3_600_000;
  for (const name of await readdir(testData).catch(() => [])) {
    const path = join(testData, name);
    if (!name.startsWith('build-') || path === keep) continue;
    const changed = await stat(path).then(
      (info) => info.mtimeMs,
      () => Date.now(),
    );
    if (changed < cutoff) await rm(path, { recursive: true, force: true });
  }
}

/**
 * The build's own package.json: the package's `#…` imports resolve against the nearest package.json, which would
 * otherwise be the checkout's, whose `default` targets are ./dist/… (another build, or none). Here they point into
 * this build, so the spawned ledger runs exactly what was just compiled.
 */
async function writeBuildManifest(outDir: string): Promise<void> {
  const root = JSON.parse(await readFile(join(process.cwd(), 'package.json'), 'utf8')) as { imports?: Record<string, Record<string, string>> };
  const imports = Object.fromEntries(
    Object.entries(root.imports ?? {})
      .filter(([, targets]) => typeof targets.default === 'string' && targets.default.startsWith('./dist/'))
      .map(([name, targets]) => [name, `./${targets.default.slice('./dist/'.length)}`]),
  );
  await writeFile(join(outDir, 'package.json'), `${JSON.stringify({ type: 'module', imports }, null, 2)}\n`);
}

export class SpawnedLedger {
  private output = '';
  private exited: Promise<number | null>;

  constructor(
    readonly child: ChildProcess,
    readonly env: Record<string, string>,
  ) {
    child.stdout?.on('data', (chunk: Buffer) => (this.output += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (this.output += chunk.toString()));
    this.exited = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
  }

  get url(): string {
    return `http://127.0.0.1:${this.env.PORT}`;
  }

  /** Everything the process logged, for assertions on its log and for diagnosing a failure. */
  get log(): string {
    return this.output;
  }

  async ready(timeoutMs = 20_000): Promise<void> {
    await eventually(
      async () => {
        if (this.child.exitCode !== null) throw new Error(`the ledger exited (${this.child.exitCode}):\n${this.output.slice(-3000)}`);
        const response = await fetch(`${this.url}/health`);
        if (!response.ok) throw new Error(`health ${response.status}`);
      },
      timeoutMs,
      50,
    );
  }

  /** SIGKILL: no shutdown hook runs, whatever was in flight is cut off. */
  async kill(): Promise<void> {
    this.child.kill('SIGKILL');
    await this.exited;
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null) return;
    this.child.kill('SIGTERM');
    let timer: NodeJS.Timeout | undefined;
    const gaveUp = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), 5_000)));
    const stopped = await Promise.race([this.exited.then(() => true), gaveUp]);
    clearTimeout(timer);
    if (!stopped) await this.kill();
  }
}

export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}
