import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { SandboxCatalog } from '#calcom-sandbox';
import { spawnServer } from './spawned-server.js';

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
  try {
    const catalogFile = join(folder, 'catalog.json');
    await writeFile(catalogFile, JSON.stringify(catalog));
    const env = { SANDBOX_PORT: '0', SANDBOX_HOST: '127.0.0.1', SANDBOX_API_KEY: API_KEY, SANDBOX_CATALOG: catalogFile };
    const sandbox = await spawnServer('sandbox', MAIN, { env, listening: LISTENING }, log);
    return {
      url: sandbox.url,
      apiKey: API_KEY,
      stop: async () => {
        await sandbox.stop();
        await rm(folder, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await rm(folder, { recursive: true, force: true });
    throw error;
  }
}
