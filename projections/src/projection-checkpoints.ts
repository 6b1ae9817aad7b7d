import { Column, Entity, PrimaryColumn, type EntityManager } from 'typeorm';
import { START, type Position } from '#event-store';

export async function loadCheckpoint(manager: EntityManager, name: string): Promise<Position> {
  const rows: { position: string }[] = await manager.query('SELECT position FROM projection_checkpoints WHERE name = $1', [name]);
  return rows[0]?.position ?? START;
}

/** Called inside the batch's transaction, so the rows and the checkpoint move together or not at all. */
export async function saveCheckpoint(manager: EntityManager, name: string, position: Position): Promise<void> {
  await manager.query(
    `INSERT INTO projection_checkpoints (name, position, updated_at) VALUES ($1, $2, now())
     ON CONFLICT (name) DO UPDATE SET position = EXCLUDED.position, updated_at = EXCLUDED.updated_at`,
    [name, position],
  );
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
