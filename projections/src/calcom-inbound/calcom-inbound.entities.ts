import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import type { ConflictSide, WebhookOutcome } from '#domain';

/**
 * What came in from Cal.com and what became of it: one row per webhook fact, the notifications a person should see,
 * and the conflicts between Cal.com and the ledger. Rows are keyed by ids from the events, so a replay is harmless.
 */
@Entity({ name: 'calcom_webhook_facts' })
@Index('calcom_webhook_facts_appointment_idx', ['appointmentId'])
@Index('calcom_webhook_facts_outcome_idx', ['outcome', 'receivedAt'])
export class CalcomWebhookFactRow {
  @PrimaryColumn({ name: 'fact_stream', type: 'text' })
  factStream: string;

  @Column({ name: 'fact_id', type: 'text' })
  factId: string;

  @Column({ name: 'trigger_event', type: 'text' })
  triggerEvent: string;

  @Column({ name: 'booking_uid', type: 'text', nullable: true })
  bookingUid: string | null;

  @Column({ name: 'previous_booking_uid', type: 'text', nullable: true })
  previousBookingUid: string | null;

  @Column({ name: 'appointment_id', type: 'text', nullable: true })
  appointmentId: string | null;

  /** Null until the translator has applied the fact. */
  @Column({ type: 'text', nullable: true })
  outcome: WebhookOutcome | null;

  @Column({ type: 'text', nullable: true })
  reason: string | null;

  @Column({ name: 'received_at', type: 'timestamptz' })
  receivedAt: Date;

  @Column({ name: 'applied_at', type: 'timestamptz', nullable: true })
  appliedAt: Date | null;

  /** `waiting` only: the fact stream of the failed fact it waits behind. */
  @Column({ name: 'waits_for', type: 'text', nullable: true })
  waitsFor: string | null;

  /** The CalcomWebhookReceived event's position: the order in which a lane's waiting facts are applied. */
  @Column({ name: 'received_position', type: 'text', nullable: true })
  receivedPosition: string | null;

  /** The fact stream's revision of the last event applied to the row. */
  @Column({ type: 'integer' })
  revision: number;
}

export type NotificationKind = 'sync_failed' | 'conflict' | 'unmapped_webhook' | 'webhook_failed' | 'drift_heal_blocked' | 'subscription_parked';

@Entity({ name: 'notifications' })
@Index('notifications_order_idx', ['createdAt', 'notificationId'])
export class NotificationRow {
  /** The id of the event that raised it. */
  @PrimaryColumn({ name: 'notification_id', type: 'text' })
  notificationId: string;

  @Column({ type: 'text' })
  kind: NotificationKind;

  @Column({ name: 'appointment_id', type: 'text', nullable: true })
  appointmentId: string | null;

  @Column({ type: 'text' })
  message: string;

  @Column({ type: 'jsonb' })
  details: Record<string, unknown>;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;
}

@Entity({ name: 'conflicts' })
@Index('conflicts_status_idx', ['status', 'detectedAt'])
export class ConflictRow {
  @PrimaryColumn({ name: 'conflict_id', type: 'text' })
  conflictId: string;

  @Column({ name: 'appointment_id', type: 'text' })
  appointmentId: string;

  @Column({ type: 'text' })
  status: 'open' | 'resolved';

  @Column({ type: 'text' })
  summary: string;

  @Column({ type: 'jsonb' })
  ledger: ConflictSide;

  @Column({ type: 'jsonb' })
  calcom: ConflictSide;

  @Column({ name: 'fact_id', type: 'text', nullable: true })
  factId: string | null;

  @Column({ type: 'text', nullable: true })
  keep: 'ledger' | 'calcom' | null;

  @Column({ name: 'decided_by', type: 'text', nullable: true })
  decidedBy: 'person' | 'policy' | null;

  @Column({ name: 'detected_at', type: 'timestamptz' })
  detectedAt: Date;

  @Column({ name: 'resolved_at', type: 'timestamptz', nullable: true })
  resolvedAt: Date | null;

  /** The `calcomsync-` revision of the last event applied to the row. */
  @Column({ name: 'sync_revision', type: 'integer' })
  syncRevision: number;
}

export const calcomInboundEntities = [CalcomWebhookFactRow, NotificationRow, ConflictRow];
export const calcomInboundTables = ['calcom_webhook_facts', 'notifications', 'conflicts'] as const;
