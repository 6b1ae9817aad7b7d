import { type ChildProcess, spawn } from 'node:child_process';
import { GUARDIAN_NAME } from './leftover-postmaster.js';
import type { PostgresAccount } from './postgres-account.js';

/**
 * Runs `postgres` under a small shell that stops it (fast shutdown) when its standard input reaches end of file.
 * We hold the other end of that pipe, and the kernel closes it however we end, kill -9 included, so the server
 * never outlives the process that started it by more than its shutdown. `stop()` closes the pipe the same way.
 * The shell saves the pipe on fd 3 before the server starts, because a background job's stdin is /dev/null.
 */
const GUARDIAN = [
  'exec 3<&0',
  '"$@" & server=$!',
  '{ while read -r _ <&3; do :; done; kill -INT "$server" 2>/dev/null; } & guardian=$!',
  'wait "$server"; code=$?',
  'kill "$guardian" 2>/dev/null',
  'exit "$code"',
].join('\n');

const READY = 'database system is ready to accept connections';
const LOG_LINES_KEPT = 60;

export interface PostgresProcessOptions {
  readonly binary: string;
  readonly args: readonly string[];
  readonly account: PostgresAccount | null;
  readonly log: (line: string) => void;
  readonly readyTimeoutMs: number;
}

export class PostgresProcess {
  private readonly recentLog: string[] = [];
  private readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;

  private constructor(
    private readonly child: ChildProcess,
    private readonly log: (line: string) => void,
  ) {
    this.exited = new Promise((resolveExit) => child.once('close', (code, signal) => resolveExit({ code, signal })));
    const keep = (chunk: Buffer) => {
      for (const line of chunk.toString('utf8').split('\n')) {
        if (!line.trim()) continue;
        this.recentLog.push(line);
        if (this.recentLog.length > LOG_LINES_KEPT) this.recentLog.shift();
        log(line);
      }
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
  }

  /** Starts the server and resolves once it accepts connections; rejects with its last log lines otherwise. */
  static async start(options: PostgresProcessOptions): Promise<PostgresProcess> {
    const child = spawn('/bin/sh', ['-c', GUARDIAN, GUARDIAN_NAME, options.binary, ...options.args], {
      stdio: ['pipe', 'pipe', 'pipe'],
      env: { ...process.env, LC_MESSAGES: 'C' },
      ...(options.account ?? {}),
    });
    const server = new PostgresProcess(child, options.log);
    const spawnFailed = new Promise<never>((_, reject) => child.once('error', (error) => reject(server.failure('could not be started', error))));
    await Promise.race([server.readiness(options.readyTimeoutMs), spawnFailed]).catch(async (error: unknown) => {
      await server.stop().catch(() => undefined);
      throw error;
    });
    return server;
  }

  /** PostgreSQL's last log lines, for start-up errors. */
  get logTail(): string {
    return this.recentLog.join('\n');
  }

  async stop(timeoutMs = 20_000): Promise<void> {
    this.child.stdin?.end();
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<false>((resolveTimeout) => (timer = setTimeout(() => resolveTimeout(false), timeoutMs)));
    const stopped = await Promise.race([this.exited.then(() => true), timedOut]);
    clearTimeout(timer);
    if (!stopped) throw this.failure(`did not stop within ${timeoutMs} ms`);
  }

  private readiness(timeoutMs: number): Promise<void> {
    return new Promise((resolveReady, reject) => {
      const timer = setTimeout(() => reject(this.failure(`was not ready within ${timeoutMs} ms`)), timeoutMs);
      const watch = (chunk: Buffer) => {
        if (!chunk.toString('utf8').includes(READY)) return;
        clearTimeout(timer);
        this.child.stderr?.off('data', watch);
        resolveReady();
      };
      this.child.stderr?.on('data', watch);
      void this.exited.then(({ code, signal }) => {
        clearTimeout(timer);
        reject(this.failure(`exited during start-up (${signal ? `signal ${signal}` : `code ${code}`})`));
      });
    });
  }

  private failure(what: string, cause?: unknown): Error {
    const tail = this.logTail;
    const message = `the embedded PostgreSQL ${what}${tail ? `; its last log lines:\n${tail}` : ' and logged nothing'}`;
    return cause === undefined ? new Error(message) : new Error(message, { cause });
  }
}
