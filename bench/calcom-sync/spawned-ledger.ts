import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const MAIN = fileURLToPath(new URL('../../apps/ledger/src/main.js', import.meta.url));
const LISTENING = /Ledger listening on (http:\/\/[^\s"\\]+)/;

export interface SpawnedLedger {
  url: string;
  /** Its process id, for its CPU time (/proc/<pid>/stat). */
  pid: number;
  stop(): Promise<void>;
}

/** Node flags for the ledger's process, e.g. BENCH_LEDGER_NODE_FLAGS='--cpu-prof --cpu-prof-dir=/tmp/prof' (NODE_OPTIONS refuses --cpu-prof). */
const nodeFlags = (process.env.BENCH_LEDGER_NODE_FLAGS ?? '').split(' ').filter((flag) => flag !== '');

/** The built ledger in a process of its own, so the load generator and the sandbox do not share its event loop. */
export async function spawnLedger(env: Record<string, string>, log: (line: string) => void): Promise<SpawnedLedger> {
  const child = spawn(process.execPath, [...nodeFlags, MAIN], {
    env: { ...process.env, HOST: '127.0.0.1', PORT: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const url = await new Promise<string>((resolve, reject) => {
    let output = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const found = LISTENING.exec(output);
      if (found) resolve(found[1]);
    });
    child.stderr!.on('data', (chunk: Buffer) => log(`ledger: ${chunk.toString().trim()}`));
    child.once('exit', (code) => reject(new Error(`the ledger exited with ${code} before listening:\n${output.slice(-2000)}`)));
  });
  child.stdout!.removeAllListeners('data');
  child.stdout!.resume();
  return { url, pid: child.pid!, stop: () => stop(child) };
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}
