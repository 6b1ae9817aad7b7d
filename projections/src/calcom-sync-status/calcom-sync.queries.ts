import type { DataSource, Repository } from 'typeorm';
import { type CalcomSyncState, initialCalcomSyncState, type SyncStatus, syncStatusOf } from '#domain';
import { CalcomBookingUidRow } from './calcom-sync-status.entities.js';
import { SYNC_STATUS, syncStatusRows } from './calcom-sync-status.sql.js';

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

/** A status row joined to its appointment's version; every column but `appointment_id` is null for a missing side. */
interface StatusSource {
  booking_uid: string | null;
  booking_uids: string[] | null;
  last_synced_at: Date | null;
  attempts: number | null;
  last_error: CalcomSyncState['lastError'];
  next_retry_at: Date | null;
  state: CalcomSyncState | null;
  version: number | null;
}

export class CalcomSyncQueries {
  private readonly uids: Repository<CalcomBookingUidRow>;

  constructor(private readonly dataSource: DataSource) {
    this.uids = dataSource.getRepository(CalcomBookingUidRow);
  }

  /** Null when neither the ledger nor the sync knows the appointment; pending when only the ledger does. */
  async statusOf(appointmentId: string): Promise<CalcomSyncStatusView | null> {
    const rows: StatusSource[] = await this.dataSource.query(
      `SELECT booking_uid, booking_uids, last_synced_at, attempts, last_error, next_retry_at, state, version
         FROM ${syncStatusRows('WHERE appointment_id = $1')}`,
      [appointmentId],
    );
    return rows[0] ? toView(rows[0]) : null;
  }

  /** The `calcom` blocks of a page of appointments in one query; an id neither side knows is left out. */
  async statusesOf(appointmentIds: string[]): Promise<Map<string, CalcomSyncStatusView>> {
    if (appointmentIds.length === 0) return new Map();
    const rows: (StatusSource & { appointment_id: string })[] = await this.dataSource.query(
      `SELECT appointment_id, booking_uid, booking_uids, last_synced_at, attempts, last_error, next_retry_at, state, version
         FROM ${syncStatusRows('WHERE appointment_id = ANY($1::text[])')}`,
      [appointmentIds],
    );
    return new Map(rows.map((row) => [row.appointment_id, toView(row)]));
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

/** The status itself is `syncStatusOf`'s, the domain's own rule, as the process manager applies it. */
function toView(row: StatusSource): CalcomSyncStatusView {
  return {
    bookingUid: row.booking_uid,
    bookingUids: row.booking_uids ?? [],
    syncStatus: syncStatusOf(row.state ?? initialCalcomSyncState(), row.version ?? 0),
    lastSyncedAt: row.last_synced_at?.toISOString() ?? null,
    attempts: row.attempts ?? 0,
    lastError: row.last_error,
    nextRetryAt: row.next_retry_at?.toISOString() ?? null,
  };
}
