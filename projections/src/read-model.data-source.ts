import { DataSource } from 'typeorm';
import { IDLE_CONNECTION_MS } from '#event-store';
import { CreateCalcomInbound1767398400000 } from './migrations/1767398400000-create-calcom-inbound.js';
import { CreateReadModels1767225600000 } from './migrations/1767225600000-create-read-models.js';
import { CreateCalcomSyncStatus1767312000000 } from './migrations/1767312000000-create-calcom-sync-status.js';
import { CreateDriftChecks1767484800000 } from './migrations/1767484800000-create-drift-checks.js';
import { CreateCalcomSyncFailures1767571200000 } from './migrations/1767571200000-create-calcom-sync-failures.js';
import { DeriveCalcomSyncStatus1767657600000 } from './migrations/1767657600000-derive-calcom-sync-status.js';
import { WidenCalcomIds1767744000000 } from './migrations/1767744000000-widen-calcom-ids.js';
import { CreateSubscriptionIncidents1767830400000 } from './migrations/1767830400000-create-subscription-incidents.js';
import { AddWebhookFactLanes1767916800000 } from './migrations/1767916800000-add-webhook-fact-lanes.js';
import { CountVersionsFromOne1768003200000 } from './migrations/1768003200000-count-versions-from-one.js';
import { IndexAppointmentQueries1768089600000 } from './migrations/1768089600000-index-appointment-queries.js';
import { IndexCustomerEmailLocalPart1768176000000 } from './migrations/1768176000000-index-customer-email-local-part.js';
import { readModelEntities } from './read-models.js';

/** Any constant will do, as long as nothing else in the database uses it for a different purpose. */
const MIGRATION_LOCK_KEY = 'ledger:read-model-migrations';

/**
 * The read models' DataSource: entities and migrations, never `synchronize`. Not yet initialised;
 * `openReadModel` is the usual way in.
 */
export function createReadModelDataSource(url: string): DataSource {
  return new DataSource({
    type: 'postgres',
    url,
    entities: readModelEntities,
    migrations: [
      CreateReadModels1767225600000,
      CreateCalcomSyncStatus1767312000000,
      CreateDriftChecks1767484800000,
      CreateCalcomInbound1767398400000,
      CreateCalcomSyncFailures1767571200000,
      DeriveCalcomSyncStatus1767657600000,
      WidenCalcomIds1767744000000,
      CreateSubscriptionIncidents1767830400000,
      AddWebhookFactLanes1767916800000,
      CountVersionsFromOne1768003200000,
      IndexAppointmentQueries1768089600000,
      IndexCustomerEmailLocalPart1768176000000,
    ],
    migrationsTableName: 'read_model_migrations',
    synchronize: false,
    extra: { idleTimeoutMillis: IDLE_CONNECTION_MS },
  });
}

/**
 * Initialises the DataSource and brings the schema up to date. Migrations run under a session advisory lock,
 * so an app and a rebuild started at the same moment on a fresh database do not both create the tables.
 */
export async function openReadModel(url: string): Promise<DataSource> {
  const dataSource = await createReadModelDataSource(url).initialize();
  try {
    await runReadModelMigrations(dataSource);
    return dataSource;
  } catch (error) {
    await dataSource.destroy();
    throw error;
  }
}

export async function runReadModelMigrations(dataSource: DataSource): Promise<void> {
  const lock = dataSource.createQueryRunner();
  await lock.connect();
  try {
    await lock.query('SELECT pg_advisory_lock(hashtextextended($1, 0))', [MIGRATION_LOCK_KEY]);
    await dataSource.runMigrations({ transaction: 'all' });
  } finally {
    await lock.query('SELECT pg_advisory_unlock(hashtextextended($1, 0))', [MIGRATION_LOCK_KEY]).catch(() => undefined);
    await lock.release();
  }
}
