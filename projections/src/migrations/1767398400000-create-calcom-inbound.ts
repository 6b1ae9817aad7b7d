import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Cal.com's side coming in: webhook facts and their outcomes, notifications, conflicts. */
export class CreateCalcomInbound1767398400000 implements MigrationInterface {
  name = 'CreateCalcomInbound1767398400000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE calcom_webhook_facts (
        fact_stream text PRIMARY KEY,
        fact_id text NOT NULL,
        trigger_event text NOT NULL,
        booking_uid text,
        previous_booking_uid text,
        appointment_id text,
        outcome text,
        reason text,
        received_at timestamptz NOT NULL,
        applied_at timestamptz,
        version integer NOT NULL
      )`);
    await queryRunner.query('CREATE INDEX calcom_webhook_facts_appointment_idx ON calcom_webhook_facts (appointment_id)');
    await queryRunner.query('CREATE INDEX calcom_webhook_facts_outcome_idx ON calcom_webhook_facts (outcome, received_at)');
    await queryRunner.query("CREATE INDEX calcom_webhook_facts_orphan_uid_idx ON calcom_webhook_facts (booking_uid) WHERE outcome = 'orphan'");
    await queryRunner.query("CREATE INDEX calcom_webhook_facts_orphan_previous_uid_idx ON calcom_webhook_facts (previous_booking_uid) WHERE outcome = 'orphan'");
    await queryRunner.query(`
      CREATE TABLE notifications (
        notification_id text PRIMARY KEY,
        kind text NOT NULL,
        appointment_id text,
        message text NOT NULL,
        details jsonb NOT NULL,
        created_at timestamptz NOT NULL
      )`);
    await queryRunner.query('CREATE INDEX notifications_order_idx ON notifications (created_at, notification_id)');
    await queryRunner.query(`
      CREATE TABLE conflicts (
        conflict_id text PRIMARY KEY,
        appointment_id text NOT NULL,
        status text NOT NULL,
        summary text NOT NULL,
        ledger jsonb NOT NULL,
        calcom jsonb NOT NULL,
        fact_id text,
        keep text,
        decided_by text,
        detected_at timestamptz NOT NULL,
        resolved_at timestamptz,
        sync_revision integer NOT NULL
      )`);
    await queryRunner.query('CREATE INDEX conflicts_status_idx ON conflicts (status, detected_at)');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE conflicts');
    await queryRunner.query('DROP TABLE notifications');
    await queryRunner.query('DROP TABLE calcom_webhook_facts');
  }
}
