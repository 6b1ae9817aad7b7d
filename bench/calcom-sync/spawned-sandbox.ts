import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { SandboxCatalog } from '#calcom-sandbox';

const MAIN = fileURLToPath(new URL('../../apps/calcom-sandbox/src/main.js', import.meta.url));
const LISTENING = /Cal\.com sandbox listening on (http:\/\/[^\s"\\]+)/;
const API_KEY = 'cal_bench_sandbox_key';

export interface SpawnedSandbox {
  url: string;
  apiKey: string;
  stop(): Promise<void>;
}

/**
 * The Cal.com sandbox as `npm run sandbox` runs it, in a process of its own: Cal.com is another server, and the bench's
 * load client should not share its event loop with the answers the ledger waits for (a late loop there counted as
 * the ledger's latency).
 */
export async function spawnSandbox(catalog: SandboxCatalog, log: (line: string) => void): Promise<SpawnedSandbox> {
  const folder = await mkdtemp(join(tmpdir(), 'ledger-bench-sandbox-'));
  const catalogFile = join(folder, 'catalog.json');
  await writeFile(catalogFile, JSON.stringify(catalog));
  const child = spawn(process.execPath, [MAIN], {
    env: { ...process.env, SANDBOX_PORT: '0', SANDBOX_HOST: '127.0.0.1', SANDBOX_API_KEY: API_KEY, SANDBOX_CATALOG: catalogFile },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  try {
    const url = await new Promise<string>((resolve, reject) => {
      let output = '';
      child.stdout!.on('data', (chunk: Buffer) => {
        output += chunk.toString();
        const found = LISTENING.exec(output);
        if (found) resolve(found[1]);
      });
      child.stderr!.on('data', (chunk: Buffer) => log(`sandbox: ${chunk.toString().trim()}`));
      child.once('exit', (code) => reject(new Error(`the sandbox exited with ${code} before listening:\n${output.slice(-2000)}`)));
    });
    child.stdout!.removeAllListeners('data');
    child.stdout!.resume();
    return {
      url,
      apiKey: API_KEY,
      stop: async () => {
        await stop(child);
        await rm(folder, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await stop(child);
    await rm(folder, { recursive: true, force: true });
    throw error;
  }
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}
