import { readFile, realpath, rm } from 'node:fs/promises';
import { basename, join } from 'node:path';

type Liveness = 'dead' | 'our-postmaster' | 'other-postgres' | 'other-process' | 'unknown';

/** Bounded waits of the stop: fast shutdown, then immediate shutdown, then SIGKILL. */
const STOP_STEPS: ReadonlyArray<{ signal: NodeJS.Signals; waitMs: number }> = [
  { signal: 'SIGINT', waitMs: 10_000 },
  { signal: 'SIGQUIT', waitMs: 5_000 },
  { signal: 'SIGKILL', waitMs: 5_000 },
];

/**
 * Clears the way for a start on `clusterDir` after an earlier run died without stopping its server (kill -9).
 * Only an orphan is stopped: a server whose owner still runs (a ledger, a rebuild, a drift check on the same
 * DATA_DIR) is in use, and the start fails saying by whom, instead of pulling the database from under it.
 * A postmaster still running on this folder is stopped rather than reused: it may listen on another port and with
 * other flags than this start asks for, nobody reads its log any more, and a fast shutdown is a clean checkpoint.
 * A postmaster.pid whose process is gone, a zombie, or a process that is not PostgreSQL (the pid was reused) is
 * removed, since PostgreSQL itself would refuse to start while that pid exists. A PostgreSQL process that cannot be
 * shown to serve this folder is left alone: PostgreSQL's own refusal, with its reason, is then the start-up error.
 */
export async function clearLeftoverPostmaster(clusterDir: string, log: (line: string) => void): Promise<void> {
  const lockFile = join(clusterDir, 'postmaster.pid');
  const pid = await recordedPid(lockFile);
  if (pid === null) return;
  const liveness = await livenessOf(pid, clusterDir);
  if (liveness === 'our-postmaster') {
    const owner = await ownerOf(pid);
    if (owner) {
      throw new Error(
        `the embedded PostgreSQL on ${clusterDir} (pid ${pid}) is in use by a running process (pid ${owner.pid}: ${owner.command}); ` +
          'stop that process first, or give this one a DATA_DIR of its own or a DATABASE_URL',
      );
    }
    log(`a PostgreSQL server left running on ${clusterDir} by an earlier run (pid ${pid}) is being stopped`);
    await stop(pid, clusterDir, log);
    if ((await recordedPid(lockFile)) === pid) await rm(lockFile, { force: true });
  } else if (liveness === 'dead' || liveness === 'other-process') {
    log(`removing a stale ${lockFile} (pid ${pid} ${liveness === 'dead' ? 'is not running' : 'is no PostgreSQL process'})`);
    await rm(lockFile, { force: true });
  } else {
    log(`${lockFile} names pid ${pid}, which runs but could not be shown to be this folder's server: left alone`);
  }
}

async function recordedPid(lockFile: string): Promise<number | null> {
  const text = await readFile(lockFile, 'utf8').catch(() => null);
  const pid = Number(text?.split('\n', 1)[0]?.trim());
  return Number.isSafeInteger(pid) && pid > 0 ? pid : null;
}

/**
 * What the pid is now, read from /proc: a reused pid must not be signalled, so it counts as ours only if its command
 * line is PostgreSQL's server with `-D` naming this very folder (its backends rename themselves, so only the
 * postmaster matches). A zombie is dead: where PID 1 does not reap, an orphaned postmaster stays one for ever.
 */
async function livenessOf(pid: number, clusterDir: string): Promise<Liveness> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch((error: NodeJS.ErrnoException) => (error.code === 'ENOENT' ? '' : null));
  if (stat === null) return signalReaches(pid) ? 'unknown' : 'dead';
  if (stat === '') return process.platform === 'linux' || !signalReaches(pid) ? 'dead' : 'unknown';
  const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
  if (state === 'Z' || state === 'X') return 'dead';
  const argv = (await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '')).split('\0');
  if (basename(argv[0] ?? '') !== 'postgres') return argv[0] ? 'other-process' : 'unknown';
  const dataDirAt = argv.indexOf('-D');
  if (dataDirAt < 0) return 'other-postgres';
  // By `-D`, or by the working folder, which a postmaster makes its data folder (whatever path named it).
  const ours = await realpath(clusterDir).catch(() => clusterDir);
  for (const candidate of [argv[dataDirAt + 1] ?? '', `/proc/${pid}/cwd`]) {
    if ((await realpath(candidate).catch(() => null)) === ours) return 'our-postmaster';
  }
  return 'other-postgres';
}

/** The name the guardian shell runs under (`$0`, see postgres-process.ts); its parent is the server's owner. */
export const GUARDIAN_NAME = 'postgres-guardian';

/**
 * Who keeps the postmaster running, or null for an orphan. Its parent is the guardian shell, whose parent is the
 * process that started it; an older version's server had that process as its parent directly. An orphan was
 * handed to PID 1 (or the parent is gone); a guardian whose owner died is shutting its server down already.
 */
async function ownerOf(postmaster: number): Promise<{ pid: number; command: string } | null> {
  let parent = await liveParentOf(postmaster);
  if (parent !== null && (await commandLine(parent))[3] === GUARDIAN_NAME) parent = await liveParentOf(parent);
  if (parent === null) return null;
  return { pid: parent, command: (await commandLine(parent)).join(' ').slice(0, 200) };
}

async function liveParentOf(pid: number): Promise<number | null> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '');
  const [state, ppid] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const parent = Number(ppid);
  if (!stat || state === 'Z' || state === 'X' || !Number.isSafeInteger(parent) || parent <= 1) return null;
  const parentStat = await readFile(`/proc/${parent}/stat`, 'utf8').catch(() => '');
  const parentState = parentStat.slice(parentStat.lastIndexOf(')') + 2, parentStat.lastIndexOf(')') + 3);
  return parentStat && parentState !== 'Z' && parentState !== 'X' ? parent : null;
}

async function commandLine(pid: number): Promise<string[]> {
  return (await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '')).split('\0').filter(Boolean);
}

function signalReaches(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function stop(pid: number, clusterDir: string, log: (line: string) => void): Promise<void> {
  for (const { signal, waitMs } of STOP_STEPS) {
    try {
      process.kill(pid, signal);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ESRCH') return;
      throw new Error(`could not stop the PostgreSQL server left running on ${clusterDir} (pid ${pid})`, { cause: error });
    }
    if (await gone(pid, clusterDir, waitMs)) return;
    log(`pid ${pid} still runs ${waitMs} ms after ${signal}`);
  }
  throw new Error(`the PostgreSQL server left running on ${clusterDir} (pid ${pid}) does not stop, even after SIGKILL`);
}

async function gone(pid: number, clusterDir: string, waitMs: number): Promise<boolean> {
  const deadline = Date.now() + waitMs;
  while (Date.now() < deadline) {
    if ((await livenessOf(pid, clusterDir)) !== 'our-postmaster') return true;
    await new Promise((resolveWait) => setTimeout(resolveWait, 25));
  }
  return false;
}
