import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The Cal.com sync's read models: one status row per appointment, and the uid chain index (uid → appointment). */
export class CreateCalcomSyncStatus1767312000000 implements MigrationInterface {
  name = 'CreateCalcomSyncStatus1767312000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE calcom_sync_status (
        appointment_id text PRIMARY KEY,
        booking_uid text,
        booking_uids jsonb NOT NULL,
        sync_status text NOT NULL,
        ledger_version integer NOT NULL,
        synced_version integer NOT NULL,
        last_synced_at timestamptz,
        attempts integer NOT NULL,
        last_error jsonb,
        next_retry_at timestamptz,
        sync_revision integer NOT NULL,
        state jsonb NOT NULL,
        updated_at timestamptz NOT NULL
      )`);
    await queryRunner.query('CREATE INDEX calcom_sync_status_status_idx ON calcom_sync_status (sync_status)');
    await queryRunner.query(`
      CREATE TABLE calcom_booking_uids (
        uid text PRIMARY KEY,
        appointment_id text NOT NULL,
        is_current boolean NOT NULL
      )`);
    await queryRunner.query('CREATE INDEX calcom_booking_uids_appointment_idx ON calcom_booking_uids (appointment_id)');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE calcom_booking_uids');
    await queryRunner.query('DROP TABLE calcom_sync_status');
  }
}
