/** The way into projections from outside it (#projections): other folders import only what is exported here. */
export { CalcomSyncQueries } from './calcom-sync-status/calcom-sync.queries.js';
export { CatalogQueries } from './catalog/catalog.queries.js';
export { Projector } from './projector.js';
export { openReadModel } from './read-model.data-source.js';
export { readModelStreamPrefixes } from './read-models.js';
export { AppointmentsQueries, type AppointmentSummary, MAX_PAGE_SIZE } from './appointments/appointments.queries.js';
export { MAX_CURSOR_LENGTH } from './appointments/appointment-cursor.js';
export { loadCheckpoint, saveCheckpoint } from './projection-checkpoints.js';
export { ReadModelIncidentLog, readSubscriptionIncidents, type SubscriptionIncidents } from './subscription-incidents.js';
export { type BlockedFactRow, CalcomInboundQueries } from './calcom-inbound/calcom-inbound.queries.js';
export { DriftChecksQueries, type DriftReport } from './drift-checks/drift-checks.queries.js';
export { DriftLedgerQueries } from './drift-ledger.queries.js';
export { type SyncHealth, SyncHealthQueries } from './sync-health.queries.js';
export { notificationOf } from './calcom-inbound/calcom-notices.projection.js';
export { READ_MODELS_PROJECTION } from './read-models.batch.js';
export { rebuildReadModels } from './rebuild-read-models.js';
