import { AppointmentRow } from './appointments/appointment.entity.js';
import { appointmentsReadModel } from './appointments/appointments.read-model.js';
import { calcomInboundEntities } from './calcom-inbound/calcom-inbound.entities.js';
import { calcomInboundReadModel } from './calcom-inbound/calcom-inbound.read-model.js';
import { calcomSyncFailuresReadModel } from './calcom-sync-failures/calcom-sync-failures.read-model.js';
import { calcomSyncEntities } from './calcom-sync-status/calcom-sync-status.entities.js';
import { calcomSyncStatusReadModel } from './calcom-sync-status/calcom-sync-status.read-model.js';
import { catalogEntities } from './catalog/catalog.entities.js';
import { catalogReadModel } from './catalog/catalog.read-model.js';
import { driftChecksReadModel } from './drift-checks/drift-checks.read-model.js';
import { ProjectionCheckpointRow } from './projection-checkpoints.js';
import type { ReadModel } from './read-model.js';

/**
 * Every read model, in the order a batch is applied to them: the one list the projector and the rebuild go through.
 * A new read model is a folder under projections/src and one line here. Fresh per projector, since the appointments
 * read model remembers the rows it committed.
 */
export function createReadModels(): ReadModel[] {
  return [appointmentsReadModel(), catalogReadModel, calcomSyncStatusReadModel, driftChecksReadModel, calcomSyncFailuresReadModel, calcomInboundReadModel];
}

/** The streams the read models are made from: what the projector and the rebuild read. */
export const readModelStreamPrefixes: readonly string[] = [...new Set(createReadModels().flatMap((readModel) => readModel.streamPrefixes))];

/** The TypeORM entities of the read models' tables (the schema itself is the migrations'). */
export const readModelEntities = [AppointmentRow, ...catalogEntities, ...calcomSyncEntities, ...calcomInboundEntities, ProjectionCheckpointRow];
