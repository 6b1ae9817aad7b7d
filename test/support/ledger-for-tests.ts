import { randomUUID } from 'node:crypto';
import { startLedger, type RunningLedger, type StartLedgerOptions } from '../../apps/ledger/src/ledger.js';
import type { LedgerConfig, Role } from '../../apps/ledger/src/config.js';
import { LedgerClient } from './ledger-client.js';
import { createTestDatabase, type TestDatabase } from './test-database.js';

export const ADMIN_TOKEN = 'admin-token-for-tests';
export const AUDITOR_TOKEN = 'auditor-token-for-tests';

export interface TestUser {
  email: string;
  password: string;
  role: Role;
  name: string;
}

/** An admin and an auditor who can sign in to the admin UI: `startTestLedger(url, { users: [TEST_ADMIN, TEST_AUDITOR] })`. */
export const TEST_ADMIN: TestUser = { email: 'owner@salon.test', password: 'owner-password-for-tests', role: 'admin', name: 'Olivia Owner' };
export const TEST_AUDITOR: TestUser = { email: 'auditor@salon.test', password: 'auditor-password-for-tests', role: 'auditor', name: 'Arthur Auditor' };

/**
 * The ledger as a user starts it, on a test database, with fixed tokens and whatever else the test needs. `users`
 * are added (as the users CLI adds them) before the promise resolves; an account that exists already is left as it is.
 */
/** Settings that differ from the test defaults, and the users to add (who sign in with a password). */
export type TestLedgerOverrides = Partial<LedgerConfig> & { users?: TestUser[] };

export async function startTestLedger(databaseUrl: string, overrides: TestLedgerOverrides = {}, options: StartLedgerOptions = { logger: false }): Promise<RunningLedger> {
  const { users = [], ...config } = overrides;
  const ledger = await startBareTestLedger(databaseUrl, config, options);
  try {
    for (const user of users) {
      if (await ledger.auth.accounts.byEmail(user.email)) continue;
      await ledger.auth.accounts.add(user, { actor: 'test setup', source: 'admin', correlationId: randomUUID(), causationId: null });
    }
    return ledger;
  } catch (error) {
    await ledger.close();
    throw error;
  }
}

function startBareTestLedger(databaseUrl: string, overrides: Partial<LedgerConfig>, options: StartLedgerOptions): Promise<RunningLedger> {
  return startLedger(
    {
      port: 0,
      host: '127.0.0.1',
      databaseUrl,
      dataDir: '/nonexistent',
      apiTokens: [
        { role: 'admin', token: ADMIN_TOKEN },
        { role: 'auditor', token: AUDITOR_TOKEN },
      ],
      apiTokensSource: 'env',
      readYourWritesTimeoutMs: 5000,
      ...overrides,
    },
    options,
  );
}

/** One ledger on a database of its own for a whole test file: started before the first test, closed after the last. */
export function ledgerForFile(prefix: string, overrides: TestLedgerOverrides = {}) {
  let database: TestDatabase | undefined;
  let ledger: RunningLedger | undefined;
  beforeAll(async () => {
    database = await createTestDatabase(prefix);
    ledger = await startTestLedger(database.url, overrides);
  });
  afterAll(async () => {
    await ledger?.close();
    await database?.drop();
  });
  const running = (): RunningLedger => {
    if (!ledger) throw new Error('the ledger starts in beforeAll');
    return ledger;
  };
  return {
    get ledger() {
      return running();
    },
    /** A client with the admin's bearer token. */
    get admin() {
      return new LedgerClient(running().url, ADMIN_TOKEN);
    },
  };
}
