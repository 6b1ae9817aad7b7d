import type { DataSource, EntityManager } from 'typeorm';
import { appointmentStreamPrefix, calcomSyncStreamPrefix, catalogStreamPrefixes, driftChecksStream } from '../../libs/domain/src/index.js';
import type { Position, RecordedEvent } from '../../libs/event-store/src/event-store.port.js';
import { projectAppointmentEvents } from './appointments.projection.js';
import { isCalcomSyncStatusEvent, projectCalcomSyncStatus } from './calcom-sync-status.projection.js';
import { projectCatalogEvents } from './catalog.projection.js';
import { isDriftEvent, projectDriftEvents } from './drift-checks.projection.js';
import { saveCheckpoint } from './projection-checkpoints.js';

/** The checkpoint name of the projector that feeds every table in this folder. */
export const READ_MODELS_PROJECTION = 'read-models';
export const readModelStreamPrefixes: readonly string[] = [appointmentStreamPrefix, ...catalogStreamPrefixes, calcomSyncStreamPrefix, driftChecksStream];

const WRITER_LOCK_KEY = 'ledger:read-models-writer';

/**
 * One writer at a time: the live projector takes this per batch and a rebuild for its whole transaction,
 * so a running app waits for a rebuild instead of interleaving with it.
 */
export async function lockReadModelWriter(manager: EntityManager): Promise<void> {
  await manager.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [WRITER_LOCK_KEY]);
}

export async function applyEventsToReadModels(manager: EntityManager, events: readonly RecordedEvent[]): Promise<void> {
  const appointmentEvents: RecordedEvent[] = [];
  const catalogEvents: RecordedEvent[] = [];
  const calcomSyncEvents: RecordedEvent[] = [];
  const driftEvents: RecordedEvent[] = [];
  for (const event of events) {
    if (event.streamName.startsWith(appointmentStreamPrefix)) appointmentEvents.push(event);
    else if (catalogStreamPrefixes.some((prefix) => event.streamName.startsWith(prefix))) catalogEvents.push(event);
    if (isCalcomSyncStatusEvent(event)) calcomSyncEvents.push(event);
    if (isDriftEvent(event)) driftEvents.push(event);
  }
  if (appointmentEvents.length > 0) await projectAppointmentEvents(manager, appointmentEvents);
  if (catalogEvents.length > 0) await projectCatalogEvents(manager, catalogEvents);
  if (calcomSyncEvents.length > 0) await projectCalcomSyncStatus(manager, calcomSyncEvents);
  if (driftEvents.length > 0) await projectDriftEvents(manager, driftEvents);
}

/** A batch and its checkpoint in one transaction: the effect of each event lands exactly once. */
export async function projectBatch(
  dataSource: DataSource,
  checkpointName: string,
  events: readonly RecordedEvent[],
  position: Position,
): Promise<void> {
  await dataSource.transaction(async (manager) => {
    await lockReadModelWriter(manager);
    await applyEventsToReadModels(manager, events);
    await saveCheckpoint(manager, checkpointName, position);
  });
}
