import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The drift report's read models: one row per check (its whole report) and one per heal or blocked heal. */
export class CreateDriftChecks1767484800000 implements MigrationInterface {
  name = 'CreateDriftChecks1767484800000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE drift_checks (
        check_id text PRIMARY KEY,
        revision integer NOT NULL UNIQUE,
        outcome text NOT NULL,
        mode text NOT NULL,
        trigger text NOT NULL,
        started_at timestamptz NOT NULL,
        generated_at timestamptz NOT NULL,
        window_from timestamptz,
        window_to timestamptz,
        updated_since timestamptz,
        checked_ledger integer NOT NULL,
        checked_calcom integer NOT NULL,
        pages integer NOT NULL,
        drift_count integer NOT NULL,
        counts jsonb NOT NULL,
        items jsonb NOT NULL,
        error jsonb
      )`);
    await queryRunner.query('CREATE INDEX drift_checks_generated_idx ON drift_checks (generated_at DESC)');
    await queryRunner.query(`
      CREATE TABLE drift_heals (
        revision integer PRIMARY KEY,
        type text NOT NULL,
        item_id text,
        check_id text,
        recorded_at timestamptz NOT NULL,
        data jsonb NOT NULL
      )`);
    await queryRunner.query('CREATE INDEX drift_heals_item_idx ON drift_heals (item_id, recorded_at)');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE drift_heals');
    await queryRunner.query('DROP TABLE drift_checks');
  }
}
