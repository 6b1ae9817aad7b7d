import type { DataSource, Repository } from 'typeorm';
import type { CalcomSyncState, SyncStatus } from '#domain';
import { CalcomBookingUidRow } from './calcom-sync-status.entities.js';
import { SYNC_STATUS, syncStatusRows } from './calcom-sync-status.sql.js';
import { isoText, ReadModelSql } from '../read-model-sql.js';

/** The `calcom` block of `GET /appointments/{id}`. */
export interface CalcomSyncStatusView {
  bookingUid: string | null;
  bookingUids: string[];
  syncStatus: SyncStatus;
  lastSyncedAt: string | null;
  attempts: number;
  lastError: CalcomSyncState['lastError'];
  nextRetryAt: string | null;
}

export type SyncStatusCounts = Record<SyncStatus, number>;

/**
 * The `calcom` block as the server writes it from a status row joined to its appointment's version (every column but
 * `appointment_id` is null for a missing side): the status derived in SQL (SYNC_STATUS, kept in step with the domain's
 * `syncStatusOf`; the projection tests compare them), so the fold's `state` document is not read and parsed per row.
 */
const VIEW_COLUMNS = `s.booking_uid AS "bookingUid", coalesce(s.booking_uids, '[]'::jsonb) AS "bookingUids", ${SYNC_STATUS} AS "syncStatus",
  ${isoText('s.last_synced_at')} AS "lastSyncedAt", coalesce(s.attempts, 0) AS attempts, s.last_error AS "lastError", ${isoText('s.next_retry_at')} AS "nextRetryAt"`;

export class CalcomSyncQueries {
  private readonly uids: Repository<CalcomBookingUidRow>;
  private readonly sql: ReadModelSql;

  constructor(private readonly dataSource: DataSource) {
    this.uids = dataSource.getRepository(CalcomBookingUidRow);
    this.sql = new ReadModelSql(dataSource);
  }

  /** Null when neither the ledger nor the sync knows the appointment; pending when only the ledger does. */
  async statusOf(appointmentId: string): Promise<CalcomSyncStatusView | null> {
    const [row] = await this.sql.rows<CalcomSyncStatusView>(`SELECT ${VIEW_COLUMNS} FROM ${syncStatusRows('WHERE appointment_id = $1')}`, [appointmentId]);
    return row ?? null;
  }

  /** The `calcom` blocks of a page of appointments in one query; an id neither side knows is left out. */
  async statusesOf(appointmentIds: string[]): Promise<Map<string, CalcomSyncStatusView>> {
    if (appointmentIds.length === 0) return new Map();
    const rows = await this.sql.rows<CalcomSyncStatusView & { appointmentId: string }>(
      `SELECT appointment_id AS "appointmentId", ${VIEW_COLUMNS} FROM ${syncStatusRows('WHERE appointment_id = ANY($1::text[])')}`,
      [appointmentIds],
    );
    return new Map(rows.map(({ appointmentId, ...view }) => [appointmentId, view]));
  }

  /** The appointment a Cal.com booking uid belongs to, through the whole uid chain (old uids included). */
  async appointmentIdForUid(uid: string): Promise<string | null> {
    return (await this.uids.findOneBy({ uid }))?.appointmentId ?? null;
  }

  /** The same, with whether the uid is the appointment's current booking or an older link of its chain. */
  async bookingLinkOf(uid: string): Promise<{ appointmentId: string; isCurrent: boolean } | null> {
    const row = await this.uids.findOneBy({ uid });
    return row && { appointmentId: row.appointmentId, isCurrent: row.isCurrent };
  }

  async countsByStatus(): Promise<SyncStatusCounts> {
    const rows: { sync_status: SyncStatus; count: string }[] = await this.dataSource.query(
      `SELECT ${SYNC_STATUS} AS sync_status, count(*) AS count FROM ${syncStatusRows()} GROUP BY 1`,
    );
    const counts: SyncStatusCounts = { pending: 0, synced: 0, failed: 0, conflict: 0 };
    for (const { sync_status, count } of rows) counts[sync_status] = Number(count);
    return counts;
  }

  /** The webhook deliveries (`calcomwebhook-` fact streams) the translator tied to the appointment. */
  async webhookFactStreamsOf(appointmentId: string): Promise<string[]> {
    const rows: { fact_stream: string }[] = await this.dataSource.query('SELECT fact_stream FROM calcom_webhook_facts WHERE appointment_id = $1 ORDER BY received_at', [
      appointmentId,
    ]);
    return rows.map(({ fact_stream }) => fact_stream);
  }

  /** Appointments the sync may still owe something: everything not `synced`. */
  async unsettledAppointmentIds(): Promise<string[]> {
    const rows: { appointment_id: string }[] = await this.dataSource.query(`SELECT appointment_id FROM ${syncStatusRows()} WHERE ${SYNC_STATUS} <> 'synced'`);
    return rows.map(({ appointment_id }) => appointment_id);
  }
}
