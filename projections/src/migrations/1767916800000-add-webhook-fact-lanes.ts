import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Webhook facts that failed and the facts waiting behind them: `waits_for` names the failed fact a `waiting` one
 * waits behind, `received_position` is the fact's place in the store's order (the order a released lane is applied in).
 */
export class AddWebhookFactLanes1767916800000 implements MigrationInterface {
  name = 'AddWebhookFactLanes1767916800000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE calcom_webhook_facts ADD COLUMN waits_for text, ADD COLUMN received_position text');
    await queryRunner.query("CREATE INDEX calcom_webhook_facts_blocked_idx ON calcom_webhook_facts (outcome) WHERE outcome IN ('failed', 'waiting')");
    await queryRunner.query('CREATE INDEX calcom_webhook_facts_fact_id_idx ON calcom_webhook_facts (fact_id)');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP INDEX calcom_webhook_facts_fact_id_idx');
    await queryRunner.query('DROP INDEX calcom_webhook_facts_blocked_idx');
    await queryRunner.query('ALTER TABLE calcom_webhook_facts DROP COLUMN received_position, DROP COLUMN waits_for');
  }
}
