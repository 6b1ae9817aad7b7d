import { Column, Entity, PrimaryColumn } from 'typeorm';
import { storedIdTransformer } from '../stored-id.transformer.js';

/** One row per `staff-<id>` and `service-<id>` stream; `version` is the stream's event count, as the API shows it. */
@Entity({ name: 'staff' })
export class StaffRow {
  @PrimaryColumn({ name: 'staff_id', type: 'text' })
  staffId: string;

  @Column({ type: 'text' })
  name: string;

  @Column({ type: 'text' })
  email: string;

  @Column({ name: 'calcom_user_id', type: 'bigint', nullable: true, transformer: storedIdTransformer })
  calcomUserId: number | null;

  @Column({ type: 'integer' })
  version: number;

  @Column({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}

@Entity({ name: 'services' })
export class ServiceRow {
  @PrimaryColumn({ name: 'service_id', type: 'text' })
  serviceId: string;

  @Column({ type: 'text' })
  name: string;

  @Column({ name: 'duration_minutes', type: 'integer' })
  durationMinutes: number;

  @Column({ name: 'calcom_event_type_ids', type: 'jsonb' })
  calcomEventTypeIds: Record<string, number>;

  @Column({ type: 'integer' })
  version: number;

  @Column({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}

export const catalogEntities = [StaffRow, ServiceRow];
