import { CalcomUnavailableError, countByKind, driftOnly, NotFoundError, type DriftCheckCompleted, type DriftCheckMode, type DriftCheckTrigger, type DriftKeep } from '#domain';
import { WaitUntilProcessedTimeoutError, type Position } from '#event-store';
import type { DriftChecksQueries, DriftReport, DriftLedgerQueries } from '#projections';
import type { DriftCheckOutcome, DriftCheckRunner } from './drift-check.runner.js';
import type { DriftHealAppender, HealResult } from './drift-heal.appender.js';

export interface CheckResult {
  report: DriftReport;
  healing: DriftCheckOutcome['healing'];
}

/** What the drift endpoints and the command line do: check, read the report, heal one item. */
export class DriftService {
  constructor(
    /** Null when the ledger has no Cal.com to compare with. */
    private readonly reconciler: DriftCheckRunner | null,
    private readonly healer: DriftHealAppender,
    private readonly checks: DriftChecksQueries,
    private readonly ledger: DriftLedgerQueries,
    private readonly waitForReadModel: (position: Position) => Promise<void>,
  ) {}

  async check(mode: DriftCheckMode, trigger: DriftCheckTrigger): Promise<CheckResult> {
    if (!this.reconciler) throw new CalcomUnavailableError('no Cal.com is configured (CALCOM_API_URL / CALCOM_API_KEY)');
    const outcome = await this.reconciler.check(mode, trigger);
    const report = (await this.settled(outcome.position)) ? await this.report() : reportOf(outcome.check);
    return { report, healing: outcome.healing };
  }

  async report(): Promise<DriftReport> {
    const report = await this.checks.latestReport();
    if (!report) throw new NotFoundError('drift report', 'latest (no check has run yet: POST /drift/check)');
    return report;
  }

  history(limit: number) {
    return this.checks.history(limit);
  }

  /** Heals one item of the latest report; whichever item of an appointment is picked, the whole appointment is healed. */
  async heal(itemId: string, keep: DriftKeep, by: { actor: string; actorId?: string | null; correlationId: string }): Promise<HealResult> {
    const report = await this.checks.latestReport();
    const item = report?.items.find((candidate) => candidate.id === itemId);
    if (!item) throw new NotFoundError('drift item', itemId);
    const result = await this.healer.heal(item, keep, await this.ledger.catalog(), { ...by, decidedBy: 'person' });
    await this.settled(result.position);
    return result;
  }

  /** The change is stored either way; a read model slower than the timeout only means the answer is built without it. */
  private async settled(position: Position): Promise<boolean> {
    try {
      await this.waitForReadModel(position);
      return true;
    } catch (error) {
      if (error instanceof WaitUntilProcessedTimeoutError) return false;
      throw error;
    }
  }
}

/** The report as the check recorded it, for when the read model has not caught up yet. */
function reportOf(check: DriftCheckCompleted['data']): DriftReport {
  return {
    checkId: check.checkId,
    outcome: 'completed',
    mode: check.mode,
    trigger: check.trigger,
    startedAt: check.startedAt,
    generatedAt: check.generatedAt,
    window: check.window,
    updatedSince: check.updatedSince,
    checked: check.checked,
    pages: check.pages,
    driftCount: driftOnly(check.items).length,
    counts: countByKind(check.items),
    error: null,
    items: check.items.map((item) => ({ ...item, healed: null })),
  };
}
