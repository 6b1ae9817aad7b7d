import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Cal.com ids are any positive safe integer (`isStoredId`): `staff.calcom_user_id` was an `integer`, so a user id of
 * 2^31 or more failed the projector for ever. Event type ids live in `services.calcom_event_type_ids` (jsonb numbers,
 * exact up to 2^53) and booking ids are never stored in a column of their own, so this is the only column to widen.
 */
export class WidenCalcomIds1767744000000 implements MigrationInterface {
  name = 'WidenCalcomIds1767744000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE staff ALTER COLUMN calcom_user_id TYPE bigint');
  }

  /** Refuses (PostgreSQL's out-of-range error) while a user id beyond `integer` is stored, rather than losing it. */
  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE staff ALTER COLUMN calcom_user_id TYPE integer');
  }
}
