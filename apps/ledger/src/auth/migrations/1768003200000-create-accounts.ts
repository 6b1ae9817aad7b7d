import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The people who sign in, their sessions and the sign-in throttle. These rows are the truth, not a projection: a
 * read-model rebuild never touches them. What happens to an account is also on the record, as events in its
 * `user-<id>` stream (never the password or its hash).
 */
export class CreateAccounts1768003200000 implements MigrationInterface {
  name = 'CreateAccounts1768003200000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE user_accounts (
        id uuid PRIMARY KEY,
        email text NOT NULL UNIQUE CHECK (email = lower(email)),
        name text NOT NULL,
        role text NOT NULL CHECK (role IN ('admin', 'auditor')),
        password_hash text NOT NULL,
        disabled_at timestamptz,
        created_at timestamptz NOT NULL,
        updated_at timestamptz NOT NULL
      )`);
    // connect-pg-simple's own layout (its table.sql), with a time zone on expire.
    await queryRunner.query(`
      CREATE TABLE user_sessions (
        sid varchar NOT NULL PRIMARY KEY,
        sess json NOT NULL,
        expire timestamptz NOT NULL
      )`);
    await queryRunner.query('CREATE INDEX user_sessions_expire ON user_sessions (expire)');
    await queryRunner.query(`CREATE INDEX user_sessions_user ON user_sessions ((sess->>'userId'))`);
    await queryRunner.query(`
      CREATE TABLE sign_in_throttle (
        key text PRIMARY KEY,
        failures integer NOT NULL,
        window_started_at timestamptz NOT NULL,
        locked_until timestamptz
      )`);
    await queryRunner.query('CREATE INDEX sign_in_throttle_window ON sign_in_throttle (window_started_at)');
    await queryRunner.query(`
      CREATE TABLE auth_settings (
        name text PRIMARY KEY,
        value text NOT NULL
      )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE auth_settings');
    await queryRunner.query('DROP TABLE sign_in_throttle');
    await queryRunner.query('DROP TABLE user_sessions');
    await queryRunner.query('DROP TABLE user_accounts');
  }
}
