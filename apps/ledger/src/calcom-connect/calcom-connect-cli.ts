import { createInterface } from 'node:readline/promises';
import { formatDriftReport } from '../drift/drift-report.format.js';
import type { BookingsStep } from './calcom-connect.service.js';
import { type ConnectBackend, type DriftReportWithItems, ledgerApiBackend } from './connect-backend.js';
import { formatPlan } from './connect-plan.format.js';
import { openDirectBackend } from './direct-connect-backend.js';

export interface ConnectCliOutput {
  log(text: string): void;
  /** Progress and errors: stderr, so that stdout is the plan and the outcome alone. */
  error(text: string): void;
  /** The admin's answer to "apply?"; null when nobody can answer (not a terminal). */
  ask(question: string): Promise<string | null>;
}

export interface ConnectCliFlags {
  dryRun: boolean;
  yes: boolean;
  daysBack: number;
  batch: number;
  json: boolean;
}

/** How long the closing drift check waits for the sync to settle what was just adopted. */
const DRIFT_SETTLE_MS = 60_000;

/**
 * `npm run calcom:connect`, like `npm run drift`: through the running ledger at `LEDGER_URL` (an admin
 * `LEDGER_TOKEN`, its `/calcom/connect` endpoints), or else on the database (`DATABASE_URL`, or the embedded one under
 * `DATA_DIR` while the ledger is stopped) and Cal.com (`CALCOM_API_KEY`, `CALCOM_API_URL`) directly; `PUBLIC_URL`
 * names where Cal.com sends the webhooks. Prints the plan; with `--dry-run` stops there;
 * otherwise asks (or takes `--yes`), then saves the catalog, registers the webhook, adopts the bookings a batch at a
 * time (progress on stderr; killed, it is run again and picks up where it stopped) and ends with a drift check.
 * Exit 0 done, 1 failed, 2 done with bookings or event types left unmapped.
 */
export async function runConnectCli(env: NodeJS.ProcessEnv, args: readonly string[], out: ConnectCliOutput): Promise<0 | 1 | 2> {
  let ledger: ConnectBackend | null = null;
  try {
    const flags = parseFlags(args);
    ledger = env.LEDGER_URL ? ledgerApiBackend(env.LEDGER_URL, env.LEDGER_TOKEN) : await openDirectBackend(env);
    const options = { daysBack: flags.daysBack, ...(env.PUBLIC_URL ? { publicUrl: env.PUBLIC_URL } : {}) };
    const plan = await ledger.plan(options);
    out.log(flags.json ? JSON.stringify(plan, null, 2) : formatPlan(plan));
    const leftUnmapped = plan.bookings.unmapped.length > 0 || plan.catalog.skipped.length > 0;
    if (flags.dryRun) return leftUnmapped ? 2 : 0;
    if (!flags.yes) {
      const answer = await out.ask('Apply this plan? [y/N] ');
      if (answer === null) throw new Error('nobody to ask (not a terminal): run with --yes to accept the proposed mapping, or --dry-run');
      if (!/^y(es)?$/i.test(answer.trim())) {
        out.error('Nothing changed.');
        return 1;
      }
    }
    await ledger.saveCatalog(options);
    out.error('catalog saved');
    const webhook = await ledger.registerWebhook(options);
    out.error(`webhook subscription ${webhook.subscriptionId} at ${webhook.subscriberUrl} (${webhook.action === 'unchanged' ? 'unchanged' : `${webhook.action}d`})`);
    const total = plan.bookings.toAdopt;
    let adopted = 0;
    let last: BookingsStep;
    do {
      last = await ledger.adoptBookings(options, flags.batch);
      adopted += last.adopted;
      out.error(`bookings: ${adopted} adopted, ${last.remaining} to go`);
    } while (last.remaining > 0);
    out.log(`Adopted ${adopted} booking(s) of ${total} planned; ${last.alreadyInLedger} already in the ledger.`);
    if (last.unmapped.length > 0) out.log(`Left unmapped (${last.unmapped.length}): ${last.unmapped.map((booking) => booking.uid).join(', ')}`);
    out.log(formatDriftReport(await settledDriftCheck(ledger, out)));
    return last.unmapped.length > 0 || plan.catalog.skipped.length > 0 ? 2 : 0;
  } catch (error) {
    out.error(`calcom:connect failed: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  } finally {
    await ledger?.close();
  }
}

/** A check right after adopting may still find the sync catching up (`pending`): checked again until it has. */
async function settledDriftCheck(ledger: ConnectBackend, out: ConnectCliOutput): Promise<DriftReportWithItems> {
  const deadline = Date.now() + DRIFT_SETTLE_MS;
  for (;;) {
    const report = await ledger.driftCheck();
    const pending = report.items.filter((item) => item.kind === 'pending').length;
    if (pending > 0 && !ledger.syncRunning) out.error(`drift check: ${pending} appointment(s) pending until the ledger's sync runs and settles them`);
    if (pending === 0 || !ledger.syncRunning || Date.now() > deadline) return report;
    out.error(`drift check: the sync is still settling ${pending} appointment(s); checking again`);
    await new Promise((resolve) => setTimeout(resolve, 1_000));
  }
}

export function parseFlags(args: readonly string[]): ConnectCliFlags {
  const flags: ConnectCliFlags = { dryRun: false, yes: false, daysBack: 0, batch: 100, json: false };
  for (let index = 0; index < args.length; index++) {
    const arg = args[index];
    if (arg === '--dry-run') flags.dryRun = true;
    else if (arg === '--yes' || arg === '-y') flags.yes = true;
    else if (arg === '--json') flags.json = true;
    else if (arg === '--days-back' || arg === '--batch') {
      const value = args[++index];
      const limit = arg === '--days-back' ? 3650 : 1000;
      if (value === undefined || !/^\d{1,4}$/.test(value) || Number(value) > limit || (arg === '--batch' && Number(value) === 0)) {
        throw new Error(`${arg} needs a whole number${arg === '--batch' ? ' from 1' : ' from 0'} to ${limit}`);
      }
      if (arg === '--days-back') flags.daysBack = Number(value);
      else flags.batch = Number(value);
    } else throw new Error(`unknown argument ${JSON.stringify(arg).slice(0, 80)} (known: --dry-run, --yes, --days-back N, --json)`);
  }
  return flags;
}

/** The terminal's answer, or null when stdin is not one (a script must say --yes). */
export async function askOnTerminal(question: string): Promise<string | null> {
  if (!process.stdin.isTTY) return null;
  const terminal = createInterface({ input: process.stdin, output: process.stderr });
  try {
    return await terminal.question(question);
  } finally {
    terminal.close();
  }
}
