import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import type { CalcomSyncState } from '#domain';

/**
 * Where each appointment stands with Cal.com: the `calcom` block of `GET /appointments/{id}`, written only by
 * `calcomsync-` events. `sync_revision` is the last revision folded into `state`; it only moves forward, so a replay
 * is harmless. The status is derived when read, against `appointments.version` (`calcom-sync-status.sql.ts`), from
 * the columns `synced_version` to `failed_at_version`; an appointment the sync has not touched has no row.
 */
@Entity({ name: 'calcom_sync_status' })
export class CalcomSyncStatusRow {
  @PrimaryColumn({ name: 'appointment_id', type: 'text' })
  appointmentId: string;

  @Column({ name: 'booking_uid', type: 'text', nullable: true })
  bookingUid: string | null;

  @Column({ name: 'booking_uids', type: 'jsonb' })
  bookingUids: string[];

  @Column({ name: 'synced_version', type: 'integer' })
  syncedVersion: number;

  @Column({ name: 'in_flight', type: 'boolean' })
  inFlight: boolean;

  @Column({ name: 'retry_requested', type: 'boolean' })
  retryRequested: boolean;

  @Column({ name: 'has_conflict', type: 'boolean' })
  hasConflict: boolean;

  /** The last error was permanent: the sync holds until the ledger moves past `failed_at_version` (null: for good). */
  @Column({ name: 'permanent_failure', type: 'boolean' })
  permanentFailure: boolean;

  @Column({ name: 'failed_at_version', type: 'integer', nullable: true })
  failedAtVersion: number | null;

  @Column({ name: 'last_synced_at', type: 'timestamptz', nullable: true })
  lastSyncedAt: Date | null;

  @Column({ type: 'integer' })
  attempts: number;

  @Column({ name: 'last_error', type: 'jsonb', nullable: true })
  lastError: CalcomSyncState['lastError'];

  @Column({ name: 'next_retry_at', type: 'timestamptz', nullable: true })
  nextRetryAt: Date | null;

  @Column({ name: 'sync_revision', type: 'integer' })
  syncRevision: number;

  @Column({ type: 'jsonb' })
  state: CalcomSyncState;

  @Column({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}

/** The uid chain index: every uid an appointment has had on Cal.com, and which one is current. */
@Entity({ name: 'calcom_booking_uids' })
@Index('calcom_booking_uids_appointment_idx', ['appointmentId'])
export class CalcomBookingUidRow {
  @PrimaryColumn({ type: 'text' })
  uid: string;

  @Column({ name: 'appointment_id', type: 'text' })
  appointmentId: string;

  @Column({ name: 'is_current', type: 'boolean' })
  isCurrent: boolean;
}

export const calcomSyncEntities = [CalcomSyncStatusRow, CalcomBookingUidRow];
