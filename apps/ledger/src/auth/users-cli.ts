import { randomBytes, randomUUID } from 'node:crypto';
import { userInfo } from 'node:os';
import { resolve } from 'node:path';
import { startEmbeddedPostgres } from '#database';
import { type EventMetadata, openEventStore } from '#event-store';
import { emailProblem, isRole, nameProblem, newPasswordProblem } from './account-input.js';
import { openAccountsDatabase } from './accounts.database.js';
import { AccountError, Accounts } from './accounts.js';

export interface CliOutput {
  log(text: string): void;
  error(text: string): void;
}

export const USERS_USAGE = `usage:
  npm run users -- add <email> --name "<name>" [--role admin|auditor] [--password-stdin]
  npm run users -- reset-password <email> [--password-stdin]
  npm run users -- disable <email>
Without --password-stdin a password is generated and printed once. The database is DATABASE_URL (EVENTSTORE_URL for
the events, if the ledger uses it), else the embedded one under DATA_DIR (only while the ledger is stopped).`;

/**
 * `npm run users`: the people who sign in to the admin UI. Every change is on the record (the account's `user-<id>`
 * stream, with the operating-system user as the actor); disabling or resetting a password ends the account's sessions.
 * Exit codes: 0 done, 1 could not run, 2 refused (bad arguments, an email taken or unknown).
 */
export async function runUsersCli(env: NodeJS.ProcessEnv, args: readonly string[], out: CliOutput, readStdin: () => Promise<string>): Promise<0 | 1 | 2> {
  const parsed = parseArguments(args);
  if ('problem' in parsed) {
    out.error(`${parsed.problem}\n${USERS_USAGE}`);
    return 2;
  }
  const stack: (() => Promise<unknown>)[] = [];
  try {
    const password = parsed.passwordFromStdin ? (await readStdin()).replace(/\r?\n$/, '') : randomBytes(18).toString('base64url');
    if (parsed.command !== 'disable') {
      const problem = newPasswordProblem(password);
      if (problem) {
        out.error(`The password ${problem}`);
        return 2;
      }
    }
    let databaseUrl = env.DATABASE_URL || null;
    if (!databaseUrl) {
      const embedded = await startEmbeddedPostgres({ dataDir: resolve(env.DATA_DIR ?? './.data') });
      stack.push(() => embedded.stop());
      databaseUrl = embedded.url;
    }
    const eventStore = await openEventStore({ postgresUrl: databaseUrl, eventStoreDbUrl: env.EVENTSTORE_URL || null });
    stack.push(() => eventStore.close());
    const database = await openAccountsDatabase(databaseUrl);
    stack.push(() => database.close());
    const accounts = new Accounts(database.pool, eventStore.store);
    const metadata: EventMetadata = { actor: `users CLI (${osUser()})`, source: 'admin', correlationId: randomUUID(), causationId: null, reason: null };
    const shown = parsed.passwordFromStdin ? '' : `; password (shown only now): ${password}`;
    if (parsed.command === 'add') {
      const account = await accounts.add({ email: parsed.email, name: parsed.name, role: parsed.role, password }, metadata);
      out.log(`Added ${account.role} ${account.email} (${account.id})${shown}`);
    } else if (parsed.command === 'reset-password') {
      const account = await accounts.resetPassword(parsed.email, password, metadata);
      out.log(`New password for ${account.email}; its sessions have ended${shown}`);
    } else {
      const account = await accounts.disable(parsed.email, metadata);
      out.log(`Disabled ${account.email}; its sessions have ended (reset-password enables it again)`);
    }
    return 0;
  } catch (error) {
    if (error instanceof AccountError) {
      out.error(error.message);
      return 2;
    }
    out.error(`users: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  } finally {
    for (const stop of stack.reverse()) await stop().catch(() => undefined);
  }
}

type Parsed =
  | { command: 'add'; email: string; name: string; role: 'admin' | 'auditor'; passwordFromStdin: boolean }
  | { command: 'reset-password' | 'disable'; email: string; passwordFromStdin: boolean }
  | { problem: string };

function parseArguments(args: readonly string[]): Parsed {
  const [command, email, ...rest] = args;
  const flags = new Map<string, string | true>();
  for (let i = 0; i < rest.length; i++) {
    const flag = rest[i];
    if (flag === '--password-stdin') flags.set(flag, true);
    else if ((flag === '--name' || flag === '--role') && rest[i + 1] !== undefined) flags.set(flag, rest[++i]);
    else return { problem: `Unknown or incomplete option: ${JSON.stringify(flag.slice(0, 40))}` };
  }
  if (command !== 'add' && command !== 'reset-password' && command !== 'disable') return { problem: `Unknown command: ${JSON.stringify(String(command ?? '').slice(0, 40))}` };
  const badEmail = emailProblem(email);
  if (badEmail) return { problem: `The email ${badEmail}` };
  const passwordFromStdin = flags.has('--password-stdin');
  if (command !== 'add') {
    if (flags.has('--name') || flags.has('--role')) return { problem: `${command} takes no --name or --role` };
    if (command === 'disable' && passwordFromStdin) return { problem: 'disable takes no password' };
    return { command, email, passwordFromStdin };
  }
  const name = flags.get('--name');
  const badName = nameProblem(name);
  if (badName) return { problem: `--name ${badName}` };
  const role = flags.get('--role') ?? 'admin';
  if (!isRole(role)) return { problem: '--role must be admin or auditor' };
  return { command, email, name: name as string, role, passwordFromStdin };
}

function osUser(): string {
  try {
    return userInfo().username;
  } catch {
    return 'unknown';
  }
}
