import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import type { AppointmentStatus, Customer } from '#domain';

/**
 * One row per appointment stream. `version` is the number of the stream's events applied to the row, the
 * version the API hands out: the projector only writes a row forward, which is what makes replaying events harmless.
 * Timestamps are the recorded-at times of events, never the clock, so a rebuild reproduces every row exactly.
 */
@Entity({ name: 'appointments' })
@Index('appointments_staff_overlap_idx', ['staffId', 'status', 'startsAt', 'endsAt'])
@Index('appointments_listing_idx', ['startsAt', 'appointmentId'])
export class AppointmentRow {
  @PrimaryColumn({ name: 'appointment_id', type: 'text' })
  appointmentId: string;

  @Column({ type: 'text' })
  status: AppointmentStatus;

  @Column({ name: 'starts_at', type: 'timestamptz' })
  startsAt: Date;

  @Column({ name: 'ends_at', type: 'timestamptz' })
  endsAt: Date;

  @Column({ name: 'staff_id', type: 'text' })
  staffId: string;

  @Column({ name: 'service_id', type: 'text' })
  serviceId: string;

  @Column({ type: 'jsonb' })
  customer: Customer;

  @Column({ type: 'text', nullable: true })
  notes: string | null;

  @Column({ name: 'cancellation_reason', type: 'text', nullable: true })
  cancellationReason: string | null;

  @Column({ type: 'integer' })
  version: number;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @Column({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
