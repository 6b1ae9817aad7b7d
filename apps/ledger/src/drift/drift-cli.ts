import { CALCOM_DEFAULT_API_URL, CalcomClient } from '#calcom';
import { driftExitCode } from '#domain';
import { type CliCleanup, openCliStorage } from '../cli-storage.js';
import { parseDriftSettings } from './drift.config.js';
import { formatDriftReport, type PrintableReport } from './drift-report.format.js';
import { startDrift } from './start-drift.js';

export interface CliOutput {
  log(text: string): void;
  error(text: string): void;
}

/**
 * `npm run drift`: one full drift check, printed; exit 0 with no drift, 2 with drift, 1 when the check could not run
 * (like `terraform plan -detailed-exitcode`). Heals nothing.
 *
 * - With `LEDGER_URL` (and an admin `LEDGER_TOKEN`) it asks that running ledger: `POST /drift/check`.
 * - Otherwise it checks on its own: the database at `DATABASE_URL` (or the embedded one under `DATA_DIR`, only while the
 *   ledger is stopped) against Cal.com at `CALCOM_API_URL` with `CALCOM_API_KEY`.
 *
 * Flags: `--json` prints the report as JSON; `--incremental` asks for an incremental check.
 */
export async function runDriftCli(env: NodeJS.ProcessEnv, args: readonly string[], out: CliOutput): Promise<0 | 1 | 2> {
  try {
    const mode = args.includes('--incremental') ? 'incremental' : 'full';
    const report = env.LEDGER_URL ? await checkThroughApi(env.LEDGER_URL, env.LEDGER_TOKEN, mode) : await checkDirectly(env, mode);
    out.log(args.includes('--json') ? JSON.stringify(report, null, 2) : formatDriftReport(report));
    return driftExitCode(report.items);
  } catch (error) {
    out.error(`drift check failed: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  }
}

async function checkThroughApi(ledgerUrl: string, token: string | undefined, mode: string): Promise<PrintableReport> {
  if (!token) throw new Error('LEDGER_TOKEN (an admin token) is required with LEDGER_URL');
  const response = await fetch(new URL('/drift/check', ledgerUrl), {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ mode }),
  });
  const body = (await response.json().catch(() => null)) as { report?: PrintableReport; error?: { code: string; message: string } } | null;
  if (response.status !== 200 || !body?.report) {
    throw new Error(`${ledgerUrl} answered ${response.status}${body?.error ? ` ${body.error.code}: ${body.error.message}` : ''}`);
  }
  return body.report;
}

async function checkDirectly(env: NodeJS.ProcessEnv, mode: 'full' | 'incremental'): Promise<PrintableReport> {
  if (!env.CALCOM_API_KEY) throw new Error('CALCOM_API_KEY is required to check against Cal.com directly (or set LEDGER_URL to ask a running ledger)');
  const settings = { ...parseDriftSettings(env, (message) => new Error(message)), heal: 'report' as const };
  const stack: CliCleanup = [];
  try {
    const { store, readModel, projector } = await openCliStorage(env, stack);
    const client = new CalcomClient({ apiUrl: env.CALCOM_API_URL || CALCOM_DEFAULT_API_URL, apiKey: env.CALCOM_API_KEY });
    stack.push(async () => client.close());
    const drift = startDrift({
      settings,
      store,
      readModel,
      waitForReadModel: (position) => projector.waitUntilProcessed(position, 60_000),
      calcom: client,
      schedule: false,
      logger: false,
    });
    const outcome = await drift.reconciler!.check(mode, 'cli');
    await projector.waitUntilProcessed(outcome.position, 60_000);
    return outcome.check;
  } finally {
    for (const stop of stack.reverse()) await stop().catch(() => undefined);
  }
}
