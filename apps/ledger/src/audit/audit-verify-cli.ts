import { resolve } from 'node:path';
import { startEmbeddedPostgres } from '#database';
import { openEventStore, verifyChain, type VerifyReport } from '#event-store';
import { auditRangeFromQuery, keptAnchorFromText } from './audit-range.js';

export interface CliOutput {
  log(text: string): void;
  error(text: string): void;
}

/**
 * `npm run audit:verify [-- --from <position|time>] [--to <position|time>] [--anchor <position>:<hash>] [--json]`:
 * re-checks the hash chain of the database at `DATABASE_URL` (or the embedded one under `DATA_DIR`, only while the
 * ledger is stopped). Exit 0 intact, 2 broken, 1 when it could not check. Progress goes to stderr.
 */
export async function runAuditVerifyCli(env: NodeJS.ProcessEnv, args: readonly string[], out: CliOutput): Promise<0 | 1 | 2> {
  const stack: (() => Promise<unknown>)[] = [];
  try {
    const flags = readFlags(args);
    let databaseUrl = env.DATABASE_URL || null;
    if (!databaseUrl) {
      const embedded = await startEmbeddedPostgres({ dataDir: resolve(env.DATA_DIR ?? './.data') });
      stack.push(() => embedded.stop());
      databaseUrl = embedded.url;
    }
    const eventStore = await openEventStore({ postgresUrl: databaseUrl, poolSize: 2 });
    stack.push(() => eventStore.close());
    const audit = eventStore.audit;
    if (!audit) throw new Error('this event store keeps no audit log');
    const range = await auditRangeFromQuery(audit, { from: flags.get('from'), to: flags.get('to') });
    const anchor = keptAnchorFromText(audit, flags.get('anchor'));
    const started = Date.now();
    const report = await audit.withSession((session) =>
      verifyChain(session, {
        from: range.from,
        to: range.to,
        anchor,
        onProgress: (checked) => out.error(`audit:verify: ${checked} events checked (${Math.round((Date.now() - started) / 1000)} s)`),
      }),
    );
    out.log(flags.has('json') ? JSON.stringify(report, null, 2) : describe(report));
    return report.intact ? 0 : 2;
  } catch (error) {
    out.error(`audit:verify could not check: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  } finally {
    for (const close of stack.reverse()) await close().catch(() => undefined);
  }
}

const VALUED = new Set(['from', 'to', 'anchor']);

function readFlags(args: readonly string[]): Map<string, string> {
  const flags = new Map<string, string>();
  for (let index = 0; index < args.length; index++) {
    const [name, inline] = args[index].replace(/^--/, '').split(/=(.*)/s);
    if (name === 'json' && !args[index].includes('=')) flags.set('json', '');
    else if (VALUED.has(name) && !flags.has(name)) flags.set(name, inline ?? args[++index] ?? '');
    else throw new Error(`unknown or repeated argument ${JSON.stringify(args[index])} (use --from, --to, --anchor, --json)`);
  }
  return flags;
}

function describe(report: VerifyReport): string {
  const head = `head ${report.head.hash} after ${report.head.eventCount} events`;
  if (report.intact) {
    return `intact: ${report.checkedEvents} events and ${report.anchorsChecked} anchors checked (after ${report.startedAfter}, up to ${report.lastChecked ?? 'nothing'}); ${head}`;
  }
  const problem = report.problem!;
  const event = problem.event
    ? `\nfirst event that does not match: ${problem.event.eventId} (${problem.event.streamName} revision ${problem.event.revision}, ${problem.event.type}, position ${problem.event.position})`
    : '';
  return `BROKEN (${problem.kind}): ${problem.message}${event}\n${report.checkedEvents} events checked before it`;
}
