import type { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateReadModels1767225600000 implements MigrationInterface {
  name = 'CreateReadModels1767225600000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE appointments (
        appointment_id text PRIMARY KEY,
        status text NOT NULL,
        starts_at timestamptz NOT NULL,
        ends_at timestamptz NOT NULL,
        staff_id text NOT NULL,
        service_id text NOT NULL,
        customer jsonb NOT NULL,
        notes text,
        cancellation_reason text,
        version integer NOT NULL,
        created_at timestamptz NOT NULL,
        updated_at timestamptz NOT NULL
      )`);
    await queryRunner.query('CREATE INDEX appointments_staff_overlap_idx ON appointments (staff_id, status, starts_at, ends_at)');
    await queryRunner.query('CREATE INDEX appointments_listing_idx ON appointments (starts_at, appointment_id)');
    await queryRunner.query(`
      CREATE TABLE staff (
        staff_id text PRIMARY KEY,
        name text NOT NULL,
        email text NOT NULL,
        calcom_user_id integer,
        version integer NOT NULL,
        updated_at timestamptz NOT NULL
      )`);
    await queryRunner.query(`
      CREATE TABLE services (
        service_id text PRIMARY KEY,
        name text NOT NULL,
        duration_minutes integer NOT NULL,
        calcom_event_type_ids jsonb NOT NULL,
        version integer NOT NULL,
        updated_at timestamptz NOT NULL
      )`);
    await queryRunner.query(`
      CREATE TABLE projection_checkpoints (
        name text PRIMARY KEY,
        position text NOT NULL,
        updated_at timestamptz NOT NULL
      )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE projection_checkpoints');
    await queryRunner.query('DROP TABLE services');
    await queryRunner.query('DROP TABLE staff');
    await queryRunner.query('DROP TABLE appointments');
  }
}
