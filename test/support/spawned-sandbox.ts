import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import type { SandboxFaults } from '#calcom-sandbox';
import type { SandboxState } from './calcom-sync-harness.js';
import { eventually } from './eventually.js';
import type { BuiltLedger } from './spawned-ledger.js';

/**
 * The Cal.com sandbox as `npm run sandbox` runs it, from the same build as the ledger: a process of its own, so it
 * keeps its bookings when the ledger is killed.
 */
export class SpawnedSandbox {
  private output = '';

  private constructor(
    private readonly child: ChildProcess,
    readonly url: string,
  ) {
    child.stdout?.on('data', (chunk: Buffer) => (this.output += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (this.output += chunk.toString()));
  }

  static async start(build: BuiltLedger, env: { port: number; webhookUrl: string; webhookSecret: string }): Promise<SpawnedSandbox> {
    const main = join(build.outDir, 'apps', 'calcom-sandbox', 'src', 'main.js');
    const child = spawn(process.execPath, [main], {
      env: { PATH: process.env.PATH ?? '', SANDBOX_PORT: String(env.port), SANDBOX_WEBHOOK_URL: env.webhookUrl, SANDBOX_WEBHOOK_SECRET: env.webhookSecret },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const sandbox = new SpawnedSandbox(child, `http://127.0.0.1:${env.port}`);
    await eventually(
      async () => {
        if (child.exitCode !== null) throw new Error(`the sandbox exited (${child.exitCode}):\n${sandbox.output}`);
        expect((await fetch(`${sandbox.url}/_sandbox/state`)).status).toBe(200);
      },
      20_000,
      50,
    );
    return sandbox;
  }

  readonly apiKey = 'cal_sandbox_key';

  async state(): Promise<SandboxState> {
    return (await fetch(`${this.url}/_sandbox/state`)).json() as Promise<SandboxState>;
  }

  async setFaults(faults: Partial<SandboxFaults>): Promise<void> {
    const response = await fetch(`${this.url}/_sandbox/faults`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify(faults) });
    if (!response.ok) throw new Error(`faults: ${response.status} ${await response.text()}`);
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null) return;
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    this.child.kill('SIGTERM');
    await exited;
  }
}
