import type { DataSource } from 'typeorm';
import type { PlanStep } from '#domain';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS staff_absence_plans (
  plan_fingerprint text PRIMARY KEY,
  steps jsonb NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
)`;

/**
 * Every plan shown (a dry run, or the plan a refused real call found), by fingerprint: when the client sends one back
 * and the calendar has moved on, the refusal can say what changed, appointment by appointment.
 */
export class AbsencePlans {
  static async open(dataSource: DataSource): Promise<AbsencePlans> {
    await dataSource.transaction(async (manager) => {
      await manager.query(`SELECT pg_advisory_xact_lock(hashtextextended('ledger:staff-absence-plans-schema', 0))`);
      await manager.query(SCHEMA);
    });
    return new AbsencePlans(dataSource);
  }

  constructor(private readonly dataSource: DataSource) {}

  async keep(planFingerprint: string, steps: readonly PlanStep[]): Promise<void> {
    await this.dataSource.query(`INSERT INTO staff_absence_plans (plan_fingerprint, steps) VALUES ($1, $2::jsonb) ON CONFLICT DO NOTHING`, [
      planFingerprint,
      JSON.stringify(steps),
    ]);
  }

  async find(planFingerprint: string): Promise<PlanStep[] | null> {
    const [row] = await this.dataSource.query(`SELECT steps FROM staff_absence_plans WHERE plan_fingerprint = $1`, [planFingerprint]);
    return row ? (row.steps as PlanStep[]) : null;
  }
}
