import { Column, Entity, PrimaryColumn, type EntityManager } from 'typeorm';
import { START, type Position } from '#event-store';

export async function loadCheckpoint(manager: EntityManager, name: string): Promise<Position> {
  const rows: { position: string }[] = await manager.query('SELECT position FROM projection_checkpoints WHERE name = $1', [name]);
  return rows[0]?.position ?? START;
}

/** Called inside the batch's transaction, so the rows and the checkpoint move together or not at all. */
export async function saveCheckpoint(manager: EntityManager, name: string, position: Position): Promise<void> {
  const { sql, parameters } = checkpointStatement(name, position);
  await manager.query(sql, parameters);
}

/** The statement that saves a checkpoint, for a caller that sends it along with others. */
export function checkpointStatement(name: string, position: Position): { sql: string; parameters: unknown[] } {
  return {
    sql: `INSERT INTO projection_checkpoints (name, position, updated_at) VALUES ($1, $2, now())
     ON CONFLICT (name) DO UPDATE SET position = EXCLUDED.position, updated_at = EXCLUDED.updated_at`,
    parameters: [name, position],
  };
}

/** Where each projector is: saved in the same transaction as its rows. */
@Entity({ name: 'projection_checkpoints' })
export class ProjectionCheckpointRow {
  @PrimaryColumn({ type: 'text' })
  name: string;

  @Column({ type: 'text' })
  position: string;

  @Column({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
