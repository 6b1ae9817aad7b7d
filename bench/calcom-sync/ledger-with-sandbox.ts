import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSandbox, type RunningSandbox, type SandboxCatalog } from '#calcom-sandbox';
import { spawnLedger, type SpawnedLedger } from './spawned-ledger.js';
import { spawnSandbox } from './spawned-sandbox.js';

/** The one event type each host of a bench salon has: its id derived from the host's, the rest the same for all. */
export interface HostEventType {
  idOf: (userId: number) => number;
  slug: string;
  title: string;
  lengthInMinutes: number;
}

/** `staff` Cal.com hosts (`staff1`, `staff2`, …), each with an event type of their own: calls spread over calendars as in real use. */
export function hostsCatalog(staff: number, eventType: HostEventType): SandboxCatalog {
  const users = Array.from({ length: staff }, (_, index) => ({
    id: index + 1,
    name: `Staff ${index + 1}`,
    email: `staff${index + 1}@sandbox.example`,
    username: `staff${index + 1}`,
    timeZone: 'UTC',
  }));
  const eventTypes = users.map((user) => ({
    id: eventType.idOf(user.id),
    slug: `${eventType.slug}-${user.id}`,
    title: eventType.title,
    lengthInMinutes: eventType.lengthInMinutes,
    ownerId: user.id,
    schedulingType: null,
  }));
  return { users, eventTypes };
}

/** The hosts as staff and their event types as one service, put through the ledger's API as an admin would. */
export async function putHostsCatalog(
  call: (method: string, path: string, body: unknown) => Promise<unknown>,
  catalog: SandboxCatalog,
  serviceId: string,
  eventType: HostEventType,
): Promise<void> {
  for (const user of catalog.users) await call('PUT', `/staff/${user.username}`, { name: user.name, email: user.email, calcomUserId: user.id });
  const calcomEventTypeIds = Object.fromEntries(catalog.users.map((user) => [user.username, eventType.idOf(user.id)]));
  await call('PUT', `/services/${serviceId}`, { name: eventType.title, durationMinutes: eventType.lengthInMinutes, calcomEventTypeIds });
}

export interface LedgerWithSandbox {
  sandbox: RunningSandbox;
  ledger: SpawnedLedger;
  stop(): Promise<void>;
}

/**
 * A Cal.com sandbox in this process with no rate limit, and the ledger in its own process as `npm start` runs it,
 * syncing with that sandbox through a Cal.com key (no limit of its own either: the bench measures the ledger).
 */
export async function startLedgerWithSandbox(databaseUrl: string, catalog: SandboxCatalog, env: Record<string, string>, log: (line: string) => void): Promise<LedgerWithSandbox> {
  const sandbox = await startSandbox({ port: 0, catalog });
  const { ledger, stop } = await startLedgerAgainst(databaseUrl, sandbox, env, log);
  return {
    sandbox,
    ledger,
    stop: async () => {
      await stop();
      await sandbox.close();
    },
  };
}

/** As `startLedgerWithSandbox`, with the sandbox in a process of its own too (see spawned-sandbox.ts). */
export async function startLedgerWithSandboxProcess(
  databaseUrl: string,
  catalog: SandboxCatalog,
  env: Record<string, string>,
  log: (line: string) => void,
): Promise<{ ledger: SpawnedLedger; stop(): Promise<void> }> {
  const sandbox = await spawnSandbox(catalog, log);
  try {
    const { ledger, stop } = await startLedgerAgainst(databaseUrl, sandbox, env, log);
    return {
      ledger,
      stop: async () => {
        await stop();
        await sandbox.stop();
      },
    };
  } catch (error) {
    await sandbox.stop();
    throw error;
  }
}

async function startLedgerAgainst(databaseUrl: string, sandbox: { url: string; apiKey: string }, env: Record<string, string>, log: (line: string) => void) {
  await fetch(`${sandbox.url}/_sandbox/faults`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ rateLimitPerMinute: 1_000_000 }) });
  const dataDir = await mkdtemp(join(tmpdir(), 'ledger-bench-'));
  const ledger = await spawnLedger(
    { DATABASE_URL: databaseUrl, DATA_DIR: dataDir, CALCOM_API_URL: sandbox.url, CALCOM_API_KEY: sandbox.apiKey, CALCOM_RATE_LIMIT_PER_MINUTE: '1000000', ...env },
    log,
  ).catch(async (error: unknown) => {
    await rm(dataDir, { recursive: true, force: true });
    throw error;
  });
  return {
    ledger,
    stop: async () => {
      await ledger.stop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
