import { randomUUID } from 'node:crypto';
import {
  CalcomUnavailableError,
  compileReport,
  detectDrift,
  driftChecksStream,
  driftOnly,
  planAutomaticHeal,
  type DriftCheckCompleted,
  type DriftCheckMode,
  type DriftCheckTrigger,
  type DriftHealBlocked,
  type DriftReportItem,
} from '#domain';
import { isCalcomError } from '#calcom';
import type { EventMetadata, EventStore, Position } from '#event-store';
import type { DriftChecksQueries } from '#projections';
import type { DriftSettings } from './drift.config.js';
import type { DriftHealAppender, HealResult } from './drift-heal.appender.js';
import type { DriftLevels, DriftLevelsLoader } from './drift-levels.loader.js';

export interface DriftCheckOutcome {
  check: DriftCheckCompleted['data'];
  /** Where the check (and any heal it made) was appended: wait for the read models to reach it before reading them. */
  position: Position;
  healing: { policy: DriftSettings['heal']; healed: HealResult[]; failed: { itemId: string; error: string }[]; blocked: DriftHealBlocked['data'] | null };
}

export interface DriftCheckRunnerLogger {
  log(message: string): void;
  warn(message: string): void;
}

interface LastCheck {
  startedAt: string;
  items: DriftReportItem[];
}

/**
 * One drift check: read both sides, compare, record the result in `drift-checks`, then heal by policy. Checks run one
 * at a time, in the order asked for. A check that cannot read Cal.com records `DriftCheckFailed` and reports nothing
 * as missing.
 */
export class DriftCheckRunner {
  private queue: Promise<unknown> = Promise.resolve();
  private last: LastCheck | null = null;

  constructor(
    private readonly store: EventStore,
    private readonly loader: DriftLevelsLoader,
    private readonly healer: DriftHealAppender,
    private readonly checks: DriftChecksQueries,
    private readonly settings: DriftSettings,
    private readonly now: () => Date = () => new Date(),
    private readonly logger?: DriftCheckRunnerLogger,
  ) {}

  check(mode: DriftCheckMode, trigger: DriftCheckTrigger): Promise<DriftCheckOutcome> {
    const run = this.queue.then(() => this.run(mode, trigger));
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async run(requested: DriftCheckMode, trigger: DriftCheckTrigger): Promise<DriftCheckOutcome> {
    const checkId = randomUUID();
    const startedAt = this.now().toISOString();
    const metadata: EventMetadata = { actor: `reconciler:${trigger}`, source: 'reconciler', correlationId: checkId, causationId: null };
    const last = this.last ?? (await this.lastFromReadModel());
    const mode: DriftCheckMode = requested === 'incremental' && last ? 'incremental' : 'full';
    const window = { from: this.shift(startedAt, -this.settings.lookbackMs), to: this.shift(startedAt, this.settings.lookaheadMs) };
    const updatedSince = mode === 'incremental' && last ? this.shift(last.startedAt, -this.settings.incrementalOverlapMs) : null;
    let levels: DriftLevels;
    try {
      levels = updatedSince ? await this.loader.incremental(window, updatedSince) : await this.loader.full(window);
    } catch (error) {
      const failure = describe(error);
      const failedAt = this.now().toISOString();
      await this.store.appendToStream(driftChecksStream, [
        { id: randomUUID(), type: 'DriftCheckFailed', data: { checkId, mode, trigger, startedAt, failedAt, error: failure }, metadata },
      ]);
      this.logger?.warn(`Drift check ${checkId} failed: ${failure.message}`);
      throw isCalcomError(error) ? new CalcomUnavailableError(error.message, { code: error.code, status: error.status ?? null }) : error;
    }
    const found = detectDrift(levels.ledger, levels.calcom, levels.chains, levels.catalog, levels.pending);
    const generatedAt = this.now().toISOString();
    const items = compileReport(last?.items ?? [], found, mode === 'full' ? 'full' : levels.scope, generatedAt);
    const check: DriftCheckCompleted['data'] = {
      checkId,
      mode,
      trigger,
      startedAt,
      generatedAt,
      window,
      updatedSince,
      checked: { ledger: levels.ledger.length, calcom: levels.calcom.length },
      pages: levels.pages,
      items,
    };
    let { position } = await this.store.appendToStream(driftChecksStream, [{ id: randomUUID(), type: 'DriftCheckCompleted', data: check, metadata }]);
    this.last = { startedAt, items };
    this.logger?.log(`Drift check ${checkId} (${mode}): ${driftOnly(items).length} drift item(s) over ${check.checked.ledger} appointments and ${check.checked.calcom} bookings`);
    const healing = await this.healByPolicy(check, levels, metadata);
    if (healing.healed.length > 0) position = healing.healed.at(-1)!.position;
    if (healing.blockedAt) position = healing.blockedAt;
    return { check, position, healing: { policy: this.settings.heal, healed: healing.healed, failed: healing.failed, blocked: healing.blocked } };
  }

  private async healByPolicy(check: DriftCheckCompleted['data'], levels: DriftLevels, metadata: EventMetadata) {
    const plan = planAutomaticHeal(driftOnly(check.items), this.settings.heal, this.settings.healMax, levels.catalog);
    const healed: HealResult[] = [];
    const failed: { itemId: string; error: string }[] = [];
    if (plan.blocked) {
      const blocked: DriftHealBlocked['data'] = {
        checkId: check.checkId,
        policy: this.settings.heal,
        bookingChanges: plan.bookingChanges,
        max: this.settings.healMax,
        itemIds: driftOnly(check.items).map((item) => item.id),
        summary: `Automatic healing (${this.settings.heal}) stopped: it would create or cancel ${plan.bookingChanges} bookings or appointments at once, more than DRIFT_HEAL_MAX=${this.settings.healMax}. Check Cal.com and the ledger, then heal items by hand.`,
      };
      const { position } = await this.store.appendToStream(driftChecksStream, [{ id: randomUUID(), type: 'DriftHealBlocked', data: blocked, metadata }]);
      this.logger?.warn(blocked.summary);
      return { healed, failed, blocked, blockedAt: position };
    }
    for (const { item, steps } of plan.heal) {
      try {
        healed.push(await this.healer.apply(item, plan.keep!, steps, { actor: 'reconciler', decidedBy: 'policy', correlationId: check.checkId }));
      } catch (error) {
        failed.push({ itemId: item.id, error: describe(error).message });
      }
    }
    return { healed, failed, blocked: null, blockedAt: null };
  }

  private async lastFromReadModel(): Promise<LastCheck | null> {
    const report = await this.checks.latestReport();
    return report && { startedAt: report.startedAt, items: report.items.map(({ healed: _healed, ...item }) => item) };
  }

  private shift(iso: string, ms: number): string {
    return new Date(Date.parse(iso) + ms).toISOString();
  }
}

function describe(error: unknown): { code: string; message: string } {
  if (isCalcomError(error)) return { code: error.code, message: error.message };
  return { code: (error as { code?: string })?.code ?? 'INTERNAL', message: error instanceof Error ? error.message : String(error) };
}
