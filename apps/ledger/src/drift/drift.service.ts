import {
  CalcomUnavailableError,
  NotFoundError,
  type DriftCheckMode,
  type DriftCheckTrigger,
  type DriftKeep,
} from '../../../../libs/domain/src/index.js';
import type { Position } from '../../../../libs/event-store/src/event-store.port.js';
import type { DriftChecksQueries, DriftReport } from '../../../../projections/src/drift-checks.queries.js';
import type { DriftLedgerQueries } from '../../../../projections/src/drift-ledger.queries.js';
import type { DriftCheckOutcome, DriftReconciler } from './drift-reconciler.js';
import type { DriftHealer, HealResult } from './drift-healer.js';

export interface CheckResult {
  report: DriftReport;
  healing: DriftCheckOutcome['healing'];
}

/** What the drift endpoints and the command line do: check, read the report, heal one item. */
export class DriftService {
  constructor(
    /** Null when the ledger has no Cal.com to compare with. */
    private readonly reconciler: DriftReconciler | null,
    private readonly healer: DriftHealer,
    private readonly checks: DriftChecksQueries,
    private readonly ledger: DriftLedgerQueries,
    private readonly waitForReadModel: (position: Position) => Promise<void>,
  ) {}

  async check(mode: DriftCheckMode, trigger: DriftCheckTrigger): Promise<CheckResult> {
    if (!this.reconciler) throw new CalcomUnavailableError('no Cal.com is configured (CALCOM_API_URL / CALCOM_API_KEY)');
    const outcome = await this.reconciler.check(mode, trigger);
    await this.waitForReadModel(outcome.position);
    return { report: await this.report(), healing: outcome.healing };
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
  async heal(itemId: string, keep: DriftKeep, by: { actor: string; correlationId: string }): Promise<HealResult> {
    const report = await this.checks.latestReport();
    const item = report?.items.find((candidate) => candidate.id === itemId);
    if (!item) throw new NotFoundError('drift item', itemId);
    const result = await this.healer.heal(item, keep, await this.ledger.catalog(), { ...by, decidedBy: 'person' });
    await this.waitForReadModel(result.position);
    return result;
  }
}
