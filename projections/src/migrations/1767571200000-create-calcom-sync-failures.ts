import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Every failed Cal.com call of the sync, by time: "failures in the last hour" on `GET /sync/status`. */
export class CreateCalcomSyncFailures1767571200000 implements MigrationInterface {
  name = 'CreateCalcomSyncFailures1767571200000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE calcom_sync_failures (
        stream_name text NOT NULL,
        revision integer NOT NULL,
        appointment_id text NOT NULL,
        code text NOT NULL,
        permanent boolean NOT NULL,
        recorded_at timestamptz NOT NULL,
        PRIMARY KEY (stream_name, revision)
      )`);
    await queryRunner.query('CREATE INDEX calcom_sync_failures_recorded_idx ON calcom_sync_failures (recorded_at)');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE calcom_sync_failures');
  }
}
