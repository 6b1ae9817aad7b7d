import type { DataSource } from 'typeorm';
import { START, type EventStore, type Position } from '../../libs/event-store/src/event-store.port.js';
import { AppointmentRowCache } from './appointment-row.cache.js';
import { calcomInboundTables } from './calcom-inbound.entities.js';
import { saveCheckpoint } from './projection-checkpoints.js';
import {
  applyEventsToReadModels,
  lockReadModelWriter,
  READ_MODELS_PROJECTION,
  readModelStreamPrefixes,
} from './read-models.batch.js';

export interface RebuildOptions {
  batchSize?: number;
  /** Called inside the rebuild's transaction after each batch; awaited. */
  onProgress?: (eventsApplied: number) => void | Promise<void>;
}

export interface RebuildResult {
  eventsApplied: number;
  /** The store's head when the rebuild finished; the projector's checkpoint now points here. */
  position: Position;
}

/**
 * Rebuilds every read model from position 0 in ONE transaction: readers keep seeing the old rows until the new
 * ones commit (DELETE, not TRUNCATE, so they are never blocked), and a running projector waits on the writer lock,
 * then carries on from its own position, where the version guard makes the events it sees again harmless.
 * Only this projector's checkpoint is reset; other subscribers' checkpoints are not read models.
 */
export async function rebuildReadModels(
  store: EventStore,
  dataSource: DataSource,
  options: RebuildOptions = {},
): Promise<RebuildResult> {
  const batchSize = options.batchSize ?? 1000;
  return dataSource.transaction(async (manager) => {
    await lockReadModelWriter(manager);
    await manager.query('DELETE FROM appointments');
    await manager.query('DELETE FROM staff');
    await manager.query('DELETE FROM services');
    for (const table of calcomInboundTables) await manager.query(`DELETE FROM ${table}`);
    await manager.query('DELETE FROM calcom_sync_status');
    await manager.query('DELETE FROM calcom_booking_uids');
    await manager.query('DELETE FROM drift_checks');
    await manager.query('DELETE FROM drift_heals');
    await manager.query('DELETE FROM calcom_sync_failures');
    await manager.query('DELETE FROM projection_checkpoints WHERE name = $1', [READ_MODELS_PROJECTION]);

    // Rows written earlier in this same transaction: valid for as long as it is.
    const cache = new AppointmentRowCache();
    let position: Position = START;
    let eventsApplied = 0;
    // Reading the next page while the current one is written keeps the database busy on both sides.
    const readAfter = (after: Position) => {
      const reading = store.readAll({ after, limit: batchSize, streamPrefixes: [...readModelStreamPrefixes] });
      // Awaited in the next round; until then a failure must not count as unhandled if this round throws.
      reading.catch(() => undefined);
      return reading;
    };
    let reading = readAfter(position);
    for (;;) {
      const page = await reading;
      const moved = store.comparePositions(page.position, position) > 0;
      if (page.events.length === 0 && !moved) break;
      reading = readAfter(page.position);
      cache.remember(await applyEventsToReadModels(manager, page.events, cache));
      position = page.position;
      eventsApplied += page.events.length;
      await options.onProgress?.(eventsApplied);
    }
    await saveCheckpoint(manager, READ_MODELS_PROJECTION, position);
    return { eventsApplied, position };
  });
}
