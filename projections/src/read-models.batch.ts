import type { DataSource, EntityManager } from 'typeorm';
import type { Position, RecordedEvent } from '#event-store';
import { BatchRoundTrips, type SqlConnection } from './batch-round-trips.js';
import { checkpointStatement } from './projection-checkpoints.js';
import type { ReadModel, ReadModelSql } from './read-model.js';
import { createReadModels } from './read-models.js';

/** The checkpoint name of the projector that feeds every table in this folder. */
export const READ_MODELS_PROJECTION = 'read-models';

/**
 * Events per batch of the projector and per page of a rebuild. Larger batches fold more of a stream's events in
 * memory (fewer rows written twice) and spread each transaction's fixed cost: measured on a 100,000-event catch-up,
 * 2,000 took about 18 % less server CPU and 12 % less projector CPU than 1,000; 4,000 and 8,000 gained nothing more.
 * Live, batches are as small as the events that arrived.
 */
export const READ_MODEL_BATCH_SIZE = 2_000;

const WRITER_LOCK_KEY = 'ledger:read-models-writer';
const WRITER_LOCK = 'pg_advisory_xact_lock(hashtextextended($1, 0))';

/**
 * One writer at a time: the live projector takes this per batch and a rebuild for its whole transaction,
 * so a running app waits for a rebuild instead of interleaving with it.
 */
export async function lockReadModelWriter(manager: EntityManager): Promise<void> {
  await manager.query(`SELECT ${WRITER_LOCK}`, [WRITER_LOCK_KEY]);
}

/** Gives each read model the batch's events it handles, in store order. Call `committed` or `rolledBack` after. */
export async function applyEventsToReadModels(manager: ReadModelSql, events: readonly RecordedEvent[], readModels: readonly ReadModel[]): Promise<void> {
  for (const readModel of readModels) {
    const handled = events.filter((event) => readModel.canHandle(event));
    if (handled.length > 0) await readModel.handle(manager, handled);
  }
}

export function committed(readModels: readonly ReadModel[]): void {
  for (const readModel of readModels) readModel.committed?.();
}

export function rolledBack(readModels: readonly ReadModel[]): void {
  for (const readModel of readModels) readModel.rolledBack?.();
}

/**
 * A batch and its checkpoint in one transaction: the effect of each event lands exactly once.
 * The commit does not wait for the WAL flush: a crash can lose the last batches, but rows and checkpoint
 * together, so they are simply projected again, and replays are harmless.
 * The transaction's opening, the writes and the checkpoint travel together (BatchRoundTrips): a batch whose rows are
 * remembered is one round trip, one that loads rows one more per load.
 */
export async function projectBatch(
  dataSource: DataSource,
  checkpointName: string,
  events: readonly RecordedEvent[],
  position: Position,
  readModels: readonly ReadModel[] = createReadModels(),
): Promise<void> {
  const runner = dataSource.createQueryRunner();
  try {
    const connection = (await runner.connect()) as SqlConnection;
    const batch = new BatchRoundTrips(connection, OPENING);
    try {
      await applyEventsToReadModels(batch, events, readModels);
      await batch.finish([checkpointStatement(checkpointName, position), { sql: 'COMMIT', parameters: [] }]);
    } catch (error) {
      // Whatever was sent, nothing of it stays: the transaction is open and failed, or was never begun.
      await connection.query('ROLLBACK').catch(() => undefined);
      throw error;
    }
  } catch (error) {
    rolledBack(readModels);
    throw error;
  } finally {
    await runner.release();
  }
  committed(readModels);
}

/** BEGIN, the writer lock and the commit that does not wait for the WAL flush, without parameters: they travel inline. */
const OPENING = ['BEGIN', `SELECT pg_advisory_xact_lock(hashtextextended('${WRITER_LOCK_KEY}', 0))`, 'SET LOCAL synchronous_commit = off'];
