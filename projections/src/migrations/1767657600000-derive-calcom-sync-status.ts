import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The sync status is derived when read, against `appointments.version`, instead of stored: appointment events stop
 * writing `calcom_sync_status`. Its stored `sync_status` and `ledger_version` give way to the fold's inputs of
 * `syncStatusOf`, filled from `state`; rows no sync event ever wrote (`sync_revision` -1) carry nothing and go.
 */
export class DeriveCalcomSyncStatus1767657600000 implements MigrationInterface {
  name = 'DeriveCalcomSyncStatus1767657600000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      ALTER TABLE calcom_sync_status
        ADD COLUMN in_flight boolean NOT NULL DEFAULT false,
        ADD COLUMN retry_requested boolean NOT NULL DEFAULT false,
        ADD COLUMN has_conflict boolean NOT NULL DEFAULT false,
        ADD COLUMN permanent_failure boolean NOT NULL DEFAULT false,
        ADD COLUMN failed_at_version integer`);
    await queryRunner.query(`
      UPDATE calcom_sync_status SET
        in_flight = coalesce(jsonb_typeof(state->'inFlight') = 'object', false),
        retry_requested = coalesce((state->>'retryRequested')::boolean, false),
        has_conflict = coalesce(jsonb_typeof(state->'openConflict') = 'object', false),
        permanent_failure = coalesce((state->'lastError'->>'permanent')::boolean, false),
        failed_at_version = (state->'lastError'->>'ledgerVersion')::integer`);
    await queryRunner.query('DELETE FROM calcom_sync_status WHERE sync_revision < 0');
    await queryRunner.query('DROP INDEX calcom_sync_status_status_idx');
    await queryRunner.query(`
      ALTER TABLE calcom_sync_status
        DROP COLUMN sync_status,
        DROP COLUMN ledger_version,
        ALTER COLUMN in_flight DROP DEFAULT,
        ALTER COLUMN retry_requested DROP DEFAULT,
        ALTER COLUMN has_conflict DROP DEFAULT,
        ALTER COLUMN permanent_failure DROP DEFAULT`);
  }

  /** Back to stored columns; appointments the sync never touched get their rows again from a rebuild. */
  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      ALTER TABLE calcom_sync_status
        ADD COLUMN sync_status text NOT NULL DEFAULT 'pending',
        ADD COLUMN ledger_version integer NOT NULL DEFAULT 0`);
    await queryRunner.query(`
      UPDATE calcom_sync_status s SET
        ledger_version = coalesce((SELECT a.version + 1 FROM appointments a WHERE a.appointment_id = s.appointment_id), 0)`);
    await queryRunner.query(`
      UPDATE calcom_sync_status SET sync_status = CASE
        WHEN has_conflict THEN 'conflict'
        WHEN permanent_failure AND (failed_at_version IS NULL OR ledger_version <= failed_at_version) THEN 'failed'
        WHEN synced_version >= ledger_version AND NOT in_flight AND NOT retry_requested THEN 'synced'
        ELSE 'pending' END`);
    await queryRunner.query(`
      ALTER TABLE calcom_sync_status
        ALTER COLUMN sync_status DROP DEFAULT,
        ALTER COLUMN ledger_version DROP DEFAULT,
        DROP COLUMN in_flight,
        DROP COLUMN retry_requested,
        DROP COLUMN has_conflict,
        DROP COLUMN permanent_failure,
        DROP COLUMN failed_at_version`);
    await queryRunner.query('CREATE INDEX calcom_sync_status_status_idx ON calcom_sync_status (sync_status)');
  }
}
