import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import type { CalcomSyncState, SyncStatus } from '../../libs/domain/src/index.js';

/**
 * Where each appointment stands with Cal.com: the `calcom` block of `GET /appointments/{id}`.
 * `ledger_version` counts the appointment's events (the API's version); `sync_revision` is the last `calcomsync-`
 * revision folded into `state`. Both only move forward, so a replay is harmless.
 */
@Entity({ name: 'calcom_sync_status' })
@Index('calcom_sync_status_status_idx', ['syncStatus'])
export class CalcomSyncStatusRow {
  @PrimaryColumn({ name: 'appointment_id', type: 'text' })
  appointmentId: string;

  @Column({ name: 'booking_uid', type: 'text', nullable: true })
  bookingUid: string | null;

  @Column({ name: 'booking_uids', type: 'jsonb' })
  bookingUids: string[];

  @Column({ name: 'sync_status', type: 'text' })
  syncStatus: SyncStatus;

  @Column({ name: 'ledger_version', type: 'integer' })
  ledgerVersion: number;

  @Column({ name: 'synced_version', type: 'integer' })
  syncedVersion: number;

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
