import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { eventually } from './eventually.js';

const run = promisify(execFile);

/**
 * The ledger as a user runs it: compiled with the build's tsconfig, then `node …/apps/ledger/src/main.js` with its
 * settings in the environment. Built into a folder of its own under .test-data, so test files that build at the same
 * time never read each other's half-written output.
 */
export class BuiltLedger {
  private constructor(readonly outDir: string) {}

  static async build(): Promise<BuiltLedger> {
    const outDir = join(process.cwd(), '.test-data', `build-${randomUUID().slice(0, 8)}`);
    // Type errors elsewhere in the tree do not stop tsc from emitting; a missing entry point does stop the test.
    await run('npx', ['tsc', '-p', 'tsconfig.build.json', '--outDir', outDir], { cwd: process.cwd() }).catch(() => undefined);
    const built = new BuiltLedger(outDir);
    if (!existsSync(built.main)) throw new Error(`the build did not produce ${built.main}`);
    await writeBuildManifest(outDir);
    return built;
  }

  get main(): string {
    return join(this.outDir, 'apps', 'ledger', 'src', 'main.js');
  }

  start(env: Record<string, string>): SpawnedLedger {
    return new SpawnedLedger(spawn(process.execPath, [this.main], { env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] }), env);
  }

  remove(): Promise<void> {
    return rm(this.outDir, { recursive: true, force: true });
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
