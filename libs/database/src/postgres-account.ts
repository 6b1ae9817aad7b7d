import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** The system account the server runs as; `null` when we are not root and it simply runs as us. */
export interface PostgresAccount {
  readonly uid: number;
  readonly gid: number;
}

const NAME = 'postgres';

/** PostgreSQL refuses to run as root: as root, the `postgres` system account (created if missing) runs it. */
export async function postgresAccount(log: (line: string) => void): Promise<PostgresAccount | null> {
  if (process.getuid?.() !== 0) return null;
  const existing = await lookUp();
  if (existing) return existing;
  log(`creating the system user "${NAME}" to run the embedded PostgreSQL (it refuses to run as root)`);
  await run('groupadd', ['--system', NAME]).catch(() => undefined); // the group may exist without the user
  await run('useradd', ['--system', '--gid', NAME, '--no-create-home', '--shell', '/usr/sbin/nologin', NAME]).catch((error: unknown) => {
    throw new Error(`could not create the system user "${NAME}" that runs the embedded PostgreSQL as root`, { cause: error });
  });
  const created = await lookUp();
  if (!created) throw new Error(`the system user "${NAME}" was created but cannot be found`);
  return created;
}

async function lookUp(): Promise<PostgresAccount | null> {
  try {
    const [uid, gid] = await Promise.all([run('id', ['-u', NAME]), run('id', ['-g', NAME])]);
    return { uid: Number.parseInt(uid.stdout, 10), gid: Number.parseInt(gid.stdout, 10) };
  } catch {
    return null;
  }
}
