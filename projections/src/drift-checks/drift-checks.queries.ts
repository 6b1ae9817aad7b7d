import type { DataSource } from 'typeorm';
import type { DriftCheckMode, DriftKind, DriftReportItem, DriftWindow } from '#domain';

export interface DriftCheckSummary {
  checkId: string;
  outcome: 'completed' | 'failed';
  mode: DriftCheckMode;
  trigger: string;
  startedAt: string;
  generatedAt: string;
  window: DriftWindow | null;
  updatedSince: string | null;
  checked: { ledger: number; calcom: number };
  pages: number;
  /** Items that are drift (`pending` ones are not). */
  driftCount: number;
  counts: Partial<Record<DriftKind, number>>;
  error: { code: string; message: string } | null;
}

export interface DriftHealRecord {
  type: 'DriftItemHealed' | 'DriftHealBlocked';
  recordedAt: string;
  data: Record<string, unknown>;
}

export interface DriftReport extends DriftCheckSummary {
  items: (DriftReportItem & { healed: DriftHealRecord | null })[];
}

interface CheckRow {
  check_id: string;
  outcome: 'completed' | 'failed';
  mode: DriftCheckMode;
  trigger: string;
  started_at: Date;
  generated_at: Date;
  window_from: Date | null;
  window_to: Date | null;
  updated_since: Date | null;
  checked_ledger: number;
  checked_calcom: number;
  pages: number;
  drift_count: number;
  counts: Partial<Record<DriftKind, number>>;
  error: DriftCheckSummary['error'];
  items?: DriftReportItem[];
}

const SUMMARY_COLUMNS = `check_id, outcome, mode, trigger, started_at, generated_at, window_from, window_to, updated_since,
  checked_ledger, checked_calcom, pages, drift_count, counts, error`;

export class DriftChecksQueries {
  constructor(private readonly dataSource: DataSource) {}

  /** The latest completed check with its items; an item healed since carries its heal. */
  async latestReport(): Promise<DriftReport | null> {
    const [row]: CheckRow[] = await this.dataSource.query(`SELECT ${SUMMARY_COLUMNS}, items FROM drift_checks WHERE outcome = 'completed' ORDER BY revision DESC LIMIT 1`);
    if (!row) return null;
    const heals: { item_id: string; type: DriftHealRecord['type']; recorded_at: Date; data: Record<string, unknown> }[] = await this.dataSource.query(
      `SELECT DISTINCT ON (item_id) item_id, type, recorded_at, data FROM drift_heals
        WHERE type = 'DriftItemHealed' AND recorded_at >= $1 ORDER BY item_id, revision DESC`,
      [row.generated_at],
    );
    const healedBy = new Map(heals.map((heal) => [heal.item_id, { type: heal.type, recordedAt: heal.recorded_at.toISOString(), data: heal.data }]));
    return { ...toSummary(row), items: (row.items ?? []).map((item) => ({ ...item, healed: healedBy.get(item.id) ?? null })) };
  }

  /** The latest check whatever its outcome: what `GET /sync/status` shows. */
  async lastCheck(): Promise<DriftCheckSummary | null> {
    const [row]: CheckRow[] = await this.dataSource.query(`SELECT ${SUMMARY_COLUMNS} FROM drift_checks ORDER BY revision DESC LIMIT 1`);
    return row ? toSummary(row) : null;
  }

  /** Checks newest first, and the heals and blocked heals among them: how drift went over time. */
  async history(limit: number): Promise<{ checks: DriftCheckSummary[]; heals: DriftHealRecord[] }> {
    const checks: CheckRow[] = await this.dataSource.query(`SELECT ${SUMMARY_COLUMNS} FROM drift_checks ORDER BY revision DESC LIMIT $1`, [limit]);
    const heals: { type: DriftHealRecord['type']; recorded_at: Date; data: Record<string, unknown> }[] = await this.dataSource.query(
      'SELECT type, recorded_at, data FROM drift_heals ORDER BY revision DESC LIMIT $1',
      [limit],
    );
    return {
      checks: checks.map(toSummary),
      heals: heals.map((heal) => ({ type: heal.type, recordedAt: heal.recorded_at.toISOString(), data: heal.data })),
    };
  }
}

function toSummary(row: CheckRow): DriftCheckSummary {
  return {
    checkId: row.check_id,
    outcome: row.outcome,
    mode: row.mode,
    trigger: row.trigger,
    startedAt: row.started_at.toISOString(),
    generatedAt: row.generated_at.toISOString(),
    window: row.window_from && row.window_to ? { from: row.window_from.toISOString(), to: row.window_to.toISOString() } : null,
    updatedSince: row.updated_since?.toISOString() ?? null,
    checked: { ledger: row.checked_ledger, calcom: row.checked_calcom },
    pages: row.pages,
    driftCount: row.drift_count,
    counts: row.counts,
    error: row.error,
  };
}
