import { chmod, stat } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import type { PostgresAccount } from './postgres-account.js';

export interface FolderModeChange {
  readonly folder: string;
  readonly before: number;
  readonly after: number;
}

/**
 * Lets `account` walk from `/` down to `dir` by adding, on each folder where it lacks it, the one search (x) bit of
 * the class it falls in (owner, group or others), and nothing else: no bit is ever removed (a sticky /tmp stays
 * 1777), `/` is never changed, a folder it can already search is left alone. Supplementary groups and ACLs are not
 * considered, so at worst a bit is added that an ACL made unnecessary.
 */
export async function makeSearchableBy(account: PostgresAccount, dir: string): Promise<FolderModeChange[]> {
  const changes: FolderModeChange[] = [];
  for (let folder = resolve(dir); folder !== dirname(folder); folder = dirname(folder)) {
    const { mode, uid, gid } = await stat(folder);
    const searchBit = uid === account.uid ? 0o100 : gid === account.gid ? 0o010 : 0o001;
    if ((mode & searchBit) !== 0) continue;
    const before = mode & 0o7777;
    const after = before | searchBit;
    await chmod(folder, after).catch((error: unknown) => {
      throw new Error(`the postgres user cannot reach ${dir}: ${folder} (mode ${octal(before)}) lacks the search bit and could not be given it`, { cause: error });
    });
    changes.push({ folder, before, after });
  }
  return changes.reverse();
}

export function octal(mode: number): string {
  return mode.toString(8).padStart(4, '0');
}
