import { fileURLToPath } from 'node:url';
import { spawnServer, type SpawnedServer } from './spawned-server.js';

const MAIN = fileURLToPath(new URL('../../apps/ledger/src/main.js', import.meta.url));
const LISTENING = /Ledger listening on (http:\/\/[^\s"\\]+)/;

export type SpawnedLedger = SpawnedServer;

/** Node flags for the ledger's process, e.g. BENCH_LEDGER_NODE_FLAGS='--cpu-prof --cpu-prof-dir=/tmp/prof' (NODE_OPTIONS refuses --cpu-prof). */
const nodeFlags = (process.env.BENCH_LEDGER_NODE_FLAGS ?? '').split(' ').filter((flag) => flag !== '');

/** The built ledger in a process of its own, so the load generator and the sandbox do not share its event loop. */
export function spawnLedger(env: Record<string, string>, log: (line: string) => void): Promise<SpawnedLedger> {
  return spawnServer('ledger', MAIN, { nodeFlags, env: { HOST: '127.0.0.1', PORT: '0', ...env }, listening: LISTENING }, log);
}
