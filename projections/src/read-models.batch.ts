import type { DataSource, EntityManager } from 'typeorm';
import { appointmentStreamPrefix, calcomSyncStreamPrefix, catalogStreamPrefixes, driftChecksStream } from '../../libs/domain/src/index.js';
import type { Position, RecordedEvent } from '../../libs/event-store/src/event-store.port.js';
import type { AppointmentRecord } from './appointment-record.js';
import { AppointmentRowCache } from './appointment-row.cache.js';
import { projectAppointmentEvents } from './appointments.projection.js';
import { isCalcomSyncStatusEvent, projectCalcomSyncStatus } from './calcom-sync-status.projection.js';
import { projectCatalogEvents } from './catalog.projection.js';
import { calcomWebhookStreamPrefix, projectCalcomInbound } from './calcom-inbound.projection.js';
import { isDriftEvent, projectDriftEvents } from './drift-checks.projection.js';
import { isCalcomSyncFailure, projectCalcomSyncFailures } from './calcom-sync-failures.projection.js';
import { saveCheckpoint } from './projection-checkpoints.js';

/** The checkpoint name of the projector that feeds every table in this folder. */
export const READ_MODELS_PROJECTION = 'read-models';
export const readModelStreamPrefixes: readonly string[] = [appointmentStreamPrefix, ...catalogStreamPrefixes, calcomSyncStreamPrefix, driftChecksStream, calcomWebhookStreamPrefix];

const WRITER_LOCK_KEY = 'ledger:read-models-writer';
const WRITER_LOCK = 'pg_advisory_xact_lock(hashtextextended($1, 0))';

/**
 * One writer at a time: the live projector takes this per batch and a rebuild for its whole transaction,
 * so a running app waits for a rebuild instead of interleaving with it.
 */
export async function lockReadModelWriter(manager: EntityManager): Promise<void> {
  await manager.query(`SELECT ${WRITER_LOCK}`, [WRITER_LOCK_KEY]);
}

/** Applies events to every read model; returns the appointment rows folded, to remember once committed. */
export async function applyEventsToReadModels(
  manager: EntityManager,
  events: readonly RecordedEvent[],
  cache: AppointmentRowCache,
): Promise<AppointmentRecord[]> {
  const appointmentEvents: RecordedEvent[] = [];
  const catalogEvents: RecordedEvent[] = [];
  const calcomSyncEvents: RecordedEvent[] = [];
  const driftEvents: RecordedEvent[] = [];
  const syncFailures: RecordedEvent[] = [];
  for (const event of events) {
    if (event.streamName.startsWith(appointmentStreamPrefix)) appointmentEvents.push(event);
    else if (catalogStreamPrefixes.some((prefix) => event.streamName.startsWith(prefix))) catalogEvents.push(event);
    if (isCalcomSyncStatusEvent(event)) calcomSyncEvents.push(event);
    if (isDriftEvent(event)) driftEvents.push(event);
    if (isCalcomSyncFailure(event)) syncFailures.push(event);
  }
  let folded: AppointmentRecord[] = [];
  if (appointmentEvents.length > 0) {
    const result = await projectAppointmentEvents(manager, appointmentEvents, cache);
    cache.remember(result.loaded);
    folded = result.folded;
  }
  if (catalogEvents.length > 0) await projectCatalogEvents(manager, catalogEvents);
  if (calcomSyncEvents.length > 0) await projectCalcomSyncStatus(manager, calcomSyncEvents);
  if (driftEvents.length > 0) await projectDriftEvents(manager, driftEvents);
  if (syncFailures.length > 0) await projectCalcomSyncFailures(manager, syncFailures);
  await projectCalcomInbound(manager, events);
  return folded;
}

/**
 * A batch and its checkpoint in one transaction: the effect of each event lands exactly once.
 * The commit does not wait for the WAL flush: a crash can lose the last batches, but rows and checkpoint
 * together, so they are simply projected again, and replays are harmless.
 */
export async function projectBatch(
  dataSource: DataSource,
  checkpointName: string,
  events: readonly RecordedEvent[],
  position: Position,
  cache = new AppointmentRowCache(),
): Promise<void> {
  const folded = await dataSource.transaction(async (manager) => {
    await manager.query(`SELECT ${WRITER_LOCK}, set_config('synchronous_commit', 'off', true)`, [WRITER_LOCK_KEY]);
    const rows = await applyEventsToReadModels(manager, events, cache);
    await saveCheckpoint(manager, checkpointName, position);
    return rows;
  });
  cache.remember(folded);
}
