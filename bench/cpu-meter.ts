import { readdirSync, readFileSync } from 'node:fs';

export interface CpuFigure {
  /** CPU time of the contender's own process (the client side: driver, serialisation, projection code). */
  clientCpuMs: number;
  /** CPU time of every process of the PostgreSQL server (backends, WAL writer, checkpointer…); null if not visible. */
  serverCpuMs: number | null;
}

/** Linux reports process times in clock ticks of 1/100 s. */
const TICKS_PER_SECOND = 100;

/**
 * CPU time spent during a measurement, which other work on a shared machine disturbs far less than wall-clock rates.
 * The server's share is read from /proc for the postmaster and its children, so only for a server on this machine.
 */
export class CpuMeter {
  constructor(private readonly postmasterPid: number | null) {}

  /** Starts measuring; call the returned function to stop. */
  start(): () => CpuFigure {
    const client = process.cpuUsage();
    const server = this.serverSeconds();
    return () => {
      const used = process.cpuUsage(client);
      const serverNow = this.serverSeconds();
      return {
        clientCpuMs: Math.round((used.user + used.system) / 1000),
        serverCpuMs: server === null || serverNow === null ? null : Math.round((serverNow - server) * 1000),
      };
    };
  }

  private serverSeconds(): number | null {
    if (this.postmasterPid === null) return null;
    let ticks = 0;
    let found = false;
    for (const entry of readdirSync('/proc')) {
      if (!/^\d+$/.test(entry)) continue;
      const stat = readStat(Number(entry));
      if (stat?.pid === this.postmasterPid) {
        // Includes backends that exited meanwhile: the postmaster has reaped them.
        ticks += stat.ticks + stat.reapedChildrenTicks;
        found = true;
      } else if (stat?.parentPid === this.postmasterPid) {
        ticks += stat.ticks;
      }
    }
    return found ? ticks / TICKS_PER_SECOND : null;
  }
}

/** CPU time (user and system) a process of this machine has used so far, in milliseconds; null once it is gone. */
export function processCpuMs(pid: number): number | null {
  const stat = readStat(pid);
  return stat === null ? null : (stat.ticks * 1000) / TICKS_PER_SECOND;
}

/** The postmaster of the server behind a backend process, if this machine can see it (a remote server's pid is not ours). */
export function postmasterOf(backendPid: number): number | null {
  const parentPid = readStat(backendPid)?.parentPid;
  if (parentPid === undefined || !isPostgres(backendPid) || !isPostgres(parentPid)) return null;
  return parentPid;
}

function isPostgres(pid: number): boolean {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('postgres');
  } catch {
    return false;
  }
}

function readStat(pid: number): { pid: number; parentPid: number; ticks: number; reapedChildrenTicks: number } | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // After the command name (in parentheses, may contain spaces): state, ppid, … utime, stime, cutime, cstime.
    const fields = stat
      .slice(stat.lastIndexOf(')') + 2)
      .split(' ')
      .map(Number);
    return { pid, parentPid: fields[1], ticks: fields[11] + fields[12], reapedChildrenTicks: fields[13] + fields[14] };
  } catch {
    return null;
  }
}
