import type { LoggerService } from '@nestjs/common';
import type { EventStore } from '#event-store';
import { openAccountsDatabase } from './accounts.database.js';
import { Accounts } from './accounts.js';
import { type AuthSettings, defaultAuthSettings } from './auth.config.js';
import { ensureFirstAdmin, type FirstAdmin } from './first-admin.js';
import { openSessions, type Sessions } from './session.js';
import { SignInService } from './sign-in.service.js';
import { SignInThrottle } from './sign-in.throttle.js';

export interface RunningAuth {
  settings: AuthSettings;
  accounts: Accounts;
  signIns: SignInService;
  sessions: Sessions;
  firstAdmin: FirstAdmin;
  /** For long-lived streams: the session still exists (no sign-out, not idle past expiry) and its account is enabled. */
  stillSignedIn(sessionId: string, userId: string): Promise<boolean>;
  close(): Promise<void>;
}

/** Accounts, sessions and the sign-in throttle on the ledger's PostgreSQL; the first admin made if there is none. */
export async function startAuth(options: { databaseUrl: string; store: EventStore; settings?: AuthSettings; logger: LoggerService | false }): Promise<RunningAuth> {
  const settings = options.settings ?? defaultAuthSettings;
  const database = await openAccountsDatabase(options.databaseUrl);
  try {
    const accounts = new Accounts(database.pool, options.store);
    const firstAdmin = await ensureFirstAdmin(database.pool, accounts, settings);
    reportFirstAdmin(firstAdmin, options.logger);
    const sessions = openSessions(database, settings);
    return {
      settings,
      accounts,
      signIns: new SignInService(accounts, new SignInThrottle(database.pool, settings), options.store),
      sessions,
      firstAdmin,
      stillSignedIn: async (sessionId, userId) => (await sessions.isAlive(sessionId)) && (await accounts.byId(userId))?.disabled === false,
      close: async () => {
        sessions.close();
        await database.close();
      },
    };
  } catch (error) {
    await database.close().catch(() => undefined);
    throw error;
  }
}

/** Like the generated API tokens: the generated admin's password is shown once, on the start that made it. */
function reportFirstAdmin(firstAdmin: FirstAdmin, logger: LoggerService | false): void {
  if (!logger) return;
  if (firstAdmin.kind === 'generated') {
    logger.warn(`ADMIN_EMAIL is not set and there were no accounts: made an admin (shown only now; change it with npm run users -- reset-password ${firstAdmin.email})`, 'Auth');
    logger.log(`admin sign-in: ${firstAdmin.email} ${firstAdmin.password}`, 'Auth');
  } else if (firstAdmin.kind === 'configured' && firstAdmin.added) {
    logger.log(`Added the admin account ${firstAdmin.email} from ADMIN_EMAIL`, 'Auth');
  }
}
