import type pg from 'pg';
import { START, type Position } from '../event-store.port.js';
import { applySchema } from './postgres-migration.js';

export const CHECKPOINT_SCHEMA = `
CREATE TABLE IF NOT EXISTS subscription_checkpoints (
  name text PRIMARY KEY,
  position text NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now()
);
`;

/** Anything that runs a query: the pool, or a client inside the caller's own transaction. */
export type Queryable = Pick<pg.Pool, 'query'> | Pick<pg.ClientBase, 'query'>;

/**
 * Where each subscription got to. A projection saves its checkpoint with the client of the transaction that
 * writes its rows, so rows and checkpoint commit together: a batch takes effect exactly once.
 */
export class PostgresCheckpointStore {
  constructor(private readonly pool: pg.Pool) {}

  static async create(pool: pg.Pool): Promise<PostgresCheckpointStore> {
    await migrateCheckpoints(pool);
    return new PostgresCheckpointStore(pool);
  }

  /** `START` when the subscription has never saved one. */
  async load(name: string): Promise<Position> {
    const { rows } = await this.pool.query<{ position: string }>('SELECT position FROM subscription_checkpoints WHERE name = $1', [name]);
    return rows[0]?.position ?? START;
  }

  async save(name: string, position: Position, client: Queryable = this.pool): Promise<void> {
    await client.query(
      `INSERT INTO subscription_checkpoints (name, position, updated_at) VALUES ($1, $2, now())
       ON CONFLICT (name) DO UPDATE SET position = EXCLUDED.position, updated_at = EXCLUDED.updated_at`,
      [name, position],
    );
  }
}

export function migrateCheckpoints(pool: pg.Pool): Promise<void> {
  return applySchema(pool, 'subscription_checkpoints_schema', CHECKPOINT_SCHEMA);
}
