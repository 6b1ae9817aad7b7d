import { spawn } from 'node:child_process';
import { chown, mkdir, rm, writeFile } from 'node:fs/promises';
import type { PostgresAccount } from './postgres-account.js';

export interface ClusterInitOptions {
  readonly initdb: string;
  readonly clusterDir: string;
  readonly user: string;
  readonly password: string;
  readonly account: PostgresAccount | null;
  readonly log: (line: string) => void;
}

/**
 * A new cluster in `clusterDir` (mode 0700, owned by the account that runs the server): UTF-8 with the builtin
 * C.UTF-8 locale, so it needs no locale installed on the machine and sorts the same everywhere.
 */
export async function initialiseCluster(options: ClusterInitOptions): Promise<void> {
  const { clusterDir, account } = options;
  await mkdir(clusterDir, { recursive: true, mode: 0o700 });
  if (account) await chown(clusterDir, account.uid, account.gid);
  // Beside the cluster, not in the shared temporary folder; initdb insists on an empty cluster folder.
  const passwordFile = `${clusterDir}.initdb-password`;
  await writeFile(passwordFile, `${options.password}\n`, { mode: 0o600 });
  try {
    if (account) await chown(passwordFile, account.uid, account.gid);
    const args = [
      `--pgdata=${clusterDir}`,
      `--username=${options.user}`,
      `--pwfile=${passwordFile}`,
      '--auth=scram-sha-256',
      '--encoding=UTF8',
      '--locale=C',
      '--locale-provider=builtin',
      '--builtin-locale=C.UTF-8',
    ];
    await runInitdb(options.initdb, args, account, options.log);
  } finally {
    await rm(passwordFile, { force: true });
  }
}

function runInitdb(initdb: string, args: string[], account: PostgresAccount | null, log: (line: string) => void): Promise<void> {
  return new Promise((resolveInit, reject) => {
    const child = spawn(initdb, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, LC_MESSAGES: 'C' }, ...(account ?? {}) });
    let output = '';
    const keep = (chunk: Buffer) => {
      output += chunk.toString('utf8');
      for (const line of chunk.toString('utf8').split('\n')) if (line.trim()) log(line);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    child.once('error', (error) => reject(new Error(`initdb could not be started (${initdb})`, { cause: error })));
    child.once('close', (code, signal) => {
      if (code === 0) return resolveInit();
      reject(new Error(`initdb failed (${signal ? `signal ${signal}` : `code ${code}`}); its output:\n${output.trim().split('\n').slice(-30).join('\n')}`));
    });
  });
}
