import type { DataSource } from 'typeorm';
import type { SyncStatus } from '#domain';
import { SYNC_STATUS, syncStatusRows } from './calcom-sync-status/calcom-sync-status.sql.js';
import { DriftChecksQueries, type DriftCheckSummary } from './drift-checks/drift-checks.queries.js';

export interface SyncHealth {
  counts: Record<SyncStatus, number>;
  /** The appointment that has waited longest for the sync, and since when (its last change the sync still owes). */
  oldestPending: { appointmentId: string; since: string } | null;
  /** Failed Cal.com calls recorded in the hour before `now`. */
  failuresLastHour: { calls: number; permanent: number };
  lastWebhookReceivedAt: string | null;
  lastDriftCheck: DriftCheckSummary | null;
}

/** The sync at a glance, from the read models: `GET /sync/status` and the gauges behind `/metrics`. */
export class SyncHealthQueries {
  private readonly driftChecks: DriftChecksQueries;

  constructor(private readonly dataSource: DataSource) {
    this.driftChecks = new DriftChecksQueries(dataSource);
  }

  async health(now: Date): Promise<SyncHealth> {
    const [counts, oldestPending, failures, webhook, lastDriftCheck] = await Promise.all([
      this.counts(),
      this.oldestPending(),
      this.dataSource.query('SELECT count(*)::int AS calls, count(*) FILTER (WHERE permanent)::int AS permanent FROM calcom_sync_failures WHERE recorded_at > $1', [
        new Date(now.getTime() - 3_600_000).toISOString(),
      ]) as Promise<{ calls: number; permanent: number }[]>,
      this.dataSource.query('SELECT max(received_at) AS at FROM calcom_webhook_facts') as Promise<{ at: Date | null }[]>,
      this.driftChecks.lastCheck(),
    ]);
    return {
      counts,
      oldestPending,
      failuresLastHour: failures[0],
      lastWebhookReceivedAt: webhook[0]?.at?.toISOString() ?? null,
      lastDriftCheck,
    };
  }

  private async counts(): Promise<Record<SyncStatus, number>> {
    const rows: { sync_status: SyncStatus; count: number }[] = await this.dataSource.query(
      `SELECT ${SYNC_STATUS} AS sync_status, count(*)::int AS count FROM ${syncStatusRows()} GROUP BY 1`,
    );
    const counts: Record<SyncStatus, number> = { pending: 0, synced: 0, failed: 0, conflict: 0 };
    for (const { sync_status, count } of rows) counts[sync_status] = count;
    return counts;
  }

  /** Pending since the later of the appointment's last change and the sync's last completion (a retry asked for after it). */
  private async oldestPending(): Promise<SyncHealth['oldestPending']> {
    const rows: { appointment_id: string; since: Date }[] = await this.dataSource.query(
      `SELECT a.appointment_id, GREATEST(a.updated_at, COALESCE(s.last_synced_at, a.updated_at)) AS since
         FROM appointments a LEFT JOIN calcom_sync_status s USING (appointment_id)
        WHERE ${SYNC_STATUS} = 'pending'
        ORDER BY since, a.appointment_id LIMIT 1`,
    );
    return rows[0] ? { appointmentId: rows[0].appointment_id, since: rows[0].since.toISOString() } : null;
  }
}
