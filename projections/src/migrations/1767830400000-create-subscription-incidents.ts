import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * What the catch-up subscriptions are stuck on (one row per failing subscription, gone once it recovers) and the
 * events they parked (kept until replayed): read by `/health`, `/metrics` and the replay command.
 */
export class CreateSubscriptionIncidents1767830400000 implements MigrationInterface {
  name = 'CreateSubscriptionIncidents1767830400000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE subscription_failures (
        subscription text PRIMARY KEY,
        phase text NOT NULL,
        position text NOT NULL,
        event jsonb,
        error text NOT NULL,
        attempts integer NOT NULL,
        since timestamptz NOT NULL,
        updated_at timestamptz NOT NULL
      )`);
    await queryRunner.query(`
      CREATE TABLE parked_events (
        subscription text NOT NULL,
        position text NOT NULL,
        resume_from text NOT NULL,
        event_id text NOT NULL,
        stream_name text NOT NULL,
        event_type text NOT NULL,
        revision bigint NOT NULL,
        error text NOT NULL,
        attempts integer NOT NULL,
        parked_at timestamptz NOT NULL,
        PRIMARY KEY (subscription, position)
      )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE parked_events');
    await queryRunner.query('DROP TABLE subscription_failures');
  }
}
