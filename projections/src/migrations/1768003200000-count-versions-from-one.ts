import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * `version` on a row is now what the API hands out (the stream's event count, as the ETag and `If-Match` always were),
 * not the last event's revision, so a listed appointment's `version` works as `If-Match`. The webhook facts' column
 * held a revision all along and is named so.
 */
export class CountVersionsFromOne1768003200000 implements MigrationInterface {
  name = 'CountVersionsFromOne1768003200000';

  async up(queryRunner: QueryRunner): Promise<void> {
    for (const table of ['appointments', 'staff', 'services']) await queryRunner.query(`UPDATE ${table} SET version = version + 1`);
    await queryRunner.query('ALTER TABLE calcom_webhook_facts RENAME COLUMN version TO revision');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE calcom_webhook_facts RENAME COLUMN revision TO version');
    for (const table of ['appointments', 'staff', 'services']) await queryRunner.query(`UPDATE ${table} SET version = version - 1`);
  }
}
