import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The text `search` looks in: the customer's name, email and phone, one line each (appointments.queries.ts). */
export const CUSTOMER_SEARCH_TEXT = `(coalesce(customer->>'name', '') || E'\\n' || coalesce(customer->>'email', '') || E'\\n' || coalesce(customer->>'phone', ''))`;

/**
 * Indexes that keep the admin UI's queries as fast on a million appointments as on ten thousand (the scale section of
 * `npm run bench`): the longest appointment, so that a date range becomes a range of start times; the customer text
 * by trigrams, so that a search finds its few rows without reading the others; and the rare sync statuses
 * (conflict, failed), so that listing them starts from those rows.
 */
export class IndexAppointmentQueries1768089600000 implements MigrationInterface {
  name = 'IndexAppointmentQueries1768089600000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('CREATE INDEX appointments_length_idx ON appointments ((ends_at - starts_at))');
    // Trusted since PostgreSQL 13: the database's owner may create it.
    await queryRunner.query('CREATE EXTENSION IF NOT EXISTS pg_trgm');
    await queryRunner.query(`CREATE INDEX appointments_customer_search_idx ON appointments USING gin (${CUSTOMER_SEARCH_TEXT} gin_trgm_ops)`);
    await queryRunner.query('CREATE INDEX calcom_sync_status_conflict_idx ON calcom_sync_status (appointment_id) WHERE has_conflict');
    await queryRunner.query('CREATE INDEX calcom_sync_status_failure_idx ON calcom_sync_status (appointment_id) WHERE permanent_failure');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP INDEX calcom_sync_status_failure_idx');
    await queryRunner.query('DROP INDEX calcom_sync_status_conflict_idx');
    await queryRunner.query('DROP INDEX appointments_customer_search_idx');
    await queryRunner.query('DROP INDEX appointments_length_idx');
  }
}
