import { startLedger, type RunningLedger, type StartLedgerOptions } from '../../apps/ledger/src/ledger.js';
import type { LedgerConfig } from '../../apps/ledger/src/config.js';

export const ADMIN_TOKEN = 'admin-token-for-tests';
export const AUDITOR_TOKEN = 'auditor-token-for-tests';

/** The ledger as a user starts it, on a test database, with fixed tokens and whatever else the test needs. */
export function startTestLedger(databaseUrl: string, overrides: Partial<LedgerConfig> = {}, options: StartLedgerOptions = { logger: false }): Promise<RunningLedger> {
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
