import { readdirSync, readFileSync } from 'node:fs';

/** A process as /proc shows it: enough to find what a spawned ledger started and whether it still runs. */
export interface ProcessInfo {
  readonly pid: number;
  readonly parent: number;
  readonly state: string;
  readonly argv: string[];
}

export function processInfo(pid: number): ProcessInfo | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const [state, parent] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
    return { pid, parent: Number(parent), state: state!, argv };
  } catch {
    return null;
  }
}

/** Running, not a zombie waiting to be reaped. */
export function isRunning(pid: number): boolean {
  const info = processInfo(pid);
  return info !== null && info.state !== 'Z' && info.state !== 'X';
}

/** Every process below `pid`, children before grandchildren. */
export function descendantsOf(pid: number): ProcessInfo[] {
  const all = readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .map((name) => processInfo(Number(name)))
    .filter((info): info is ProcessInfo => info !== null);
  const found: ProcessInfo[] = [];
  for (let parents = new Set([pid]); parents.size > 0;) {
    const children = all.filter((info) => parents.has(info.parent));
    found.push(...children);
    parents = new Set(children.map((child) => child.pid));
  }
  return found;
}

export function postmasterPid(clusterDir: string): number | null {
  try {
    return Number(readFileSync(`${clusterDir}/postmaster.pid`, 'utf8').split('\n', 1)[0]);
  } catch {
    return null;
  }
}
