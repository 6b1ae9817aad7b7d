import type { DataSource, Repository } from 'typeorm';
import type { CalcomSyncState, SyncStatus } from '../../libs/domain/src/index.js';
import { CalcomBookingUidRow, CalcomSyncStatusRow } from './calcom-sync.entities.js';

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

export class CalcomSyncQueries {
  private readonly status: Repository<CalcomSyncStatusRow>;
  private readonly uids: Repository<CalcomBookingUidRow>;

  constructor(dataSource: DataSource) {
    this.status = dataSource.getRepository(CalcomSyncStatusRow);
    this.uids = dataSource.getRepository(CalcomBookingUidRow);
  }

  async statusOf(appointmentId: string): Promise<CalcomSyncStatusView | null> {
    const row = await this.status.findOneBy({ appointmentId });
    return row && toView(row);
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
    const rows: { sync_status: SyncStatus; count: string }[] = await this.status.query(
      'SELECT sync_status, count(*) AS count FROM calcom_sync_status GROUP BY sync_status',
    );
    const counts: SyncStatusCounts = { pending: 0, synced: 0, failed: 0, conflict: 0 };
    for (const { sync_status, count } of rows) counts[sync_status] = Number(count);
    return counts;
  }

  /** The webhook deliveries (`calcomwebhook-` fact streams) the translator tied to the appointment. */
  async webhookFactStreamsOf(appointmentId: string): Promise<string[]> {
    const rows: { fact_stream: string }[] = await this.status.query(
      'SELECT fact_stream FROM calcom_webhook_facts WHERE appointment_id = $1 ORDER BY received_at',
      [appointmentId],
    );
    return rows.map(({ fact_stream }) => fact_stream);
  }

  /** Appointments the sync may still owe something: everything not `synced`. */
  async unsettledAppointmentIds(): Promise<string[]> {
    const rows: { appointment_id: string }[] = await this.status.query(
      "SELECT appointment_id FROM calcom_sync_status WHERE sync_status <> 'synced'",
    );
    return rows.map(({ appointment_id }) => appointment_id);
  }
}

function toView(row: CalcomSyncStatusRow): CalcomSyncStatusView {
  return {
    bookingUid: row.bookingUid,
    bookingUids: row.bookingUids,
    syncStatus: row.syncStatus,
    lastSyncedAt: row.lastSyncedAt?.toISOString() ?? null,
    attempts: row.attempts,
    lastError: row.lastError,
    nextRetryAt: row.nextRetryAt?.toISOString() ?? null,
  };
}
