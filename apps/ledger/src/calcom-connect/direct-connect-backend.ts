import { randomUUID } from 'node:crypto';
import { CALCOM_DEFAULT_API_URL, CalcomClient } from '#calcom';
import type { EventMetadata } from '#event-store';
import { CalcomSyncQueries, CatalogQueries } from '#projections';
import { type CliCleanup, catchUpReadModels, openCliStorage } from '../cli-storage.js';
import { CatalogCommandService } from '../catalog/catalog-command.service.js';
import { type SaveService, SaveServiceHandler } from '../catalog/save-service.command.js';
import { SaveStaffMember, SaveStaffMemberHandler } from '../catalog/save-staff-member.command.js';
import { parseDriftSettings } from '../drift/drift.config.js';
import { startDrift } from '../drift/start-drift.js';
import { CalcomAccountReader } from './calcom-account.reader.js';
import { CalcomConnectService } from './calcom-connect.service.js';
import { CalcomWebhookSecrets } from './calcom-webhook-secrets.js';
import { DEFAULT_SECRET_OVERLAP_MS } from './calcom-connect.module.js';
import type { ConnectBackend, DriftReportWithItems } from './connect-backend.js';
import { WebhookSubscriptionManager } from './webhook-subscription.manager.js';

const CLI_METADATA = (reason: string): EventMetadata => ({ actor: 'calcom-connect-cli', source: 'admin', correlationId: randomUUID(), causationId: null, reason });

/**
 * Without `LEDGER_URL`: the ledger's database (`DATABASE_URL`, or the embedded one under `DATA_DIR` while the ledger
 * is stopped) and Cal.com (`CALCOM_API_URL`, `CALCOM_API_KEY`) directly, with the same service the endpoints use, its
 * catalog commands handled by the same handlers. The ledger's sync settles the adopted bookings when it next runs.
 */
export async function openDirectBackend(env: NodeJS.ProcessEnv): Promise<ConnectBackend> {
  if (!env.CALCOM_API_KEY) throw new Error('CALCOM_API_KEY is required to connect directly (or set LEDGER_URL to go through a running ledger)');
  const stack: CliCleanup = [];
  const close = async () => {
    for (const stop of stack.reverse()) await stop().catch(() => undefined);
  };
  try {
    const { store, readModel, projector } = await openCliStorage(env, stack);
    const waitForReadModel = (position: string) => projector.waitUntilProcessed(position, 60_000);
    const client = new CalcomClient({ apiUrl: env.CALCOM_API_URL || CALCOM_DEFAULT_API_URL, apiKey: env.CALCOM_API_KEY });
    stack.push(async () => client.close());
    const secrets = await CalcomWebhookSecrets.open(readModel);
    const catalogCommands = new CatalogCommandService(store, waitForReadModel);
    const commands = {
      execute: (command: SaveStaffMember | SaveService) =>
        command instanceof SaveStaffMember ? new SaveStaffMemberHandler(catalogCommands).execute(command) : new SaveServiceHandler(catalogCommands).execute(command),
    };
    const overlap =
      env.CALCOM_WEBHOOK_SECRET_OVERLAP_MS && /^\d+$/.test(env.CALCOM_WEBHOOK_SECRET_OVERLAP_MS) ? Number(env.CALCOM_WEBHOOK_SECRET_OVERLAP_MS) : DEFAULT_SECRET_OVERLAP_MS;
    const service = new CalcomConnectService({
      reader: new CalcomAccountReader(client),
      webhooks: new WebhookSubscriptionManager(client, secrets, overlap),
      store,
      catalog: new CatalogQueries(readModel),
      links: new CalcomSyncQueries(readModel),
      commands,
      publicUrl: env.PUBLIC_URL || null,
      now: () => new Date(),
    });
    const drift = startDrift({
      settings: { ...parseDriftSettings(env, (message) => new Error(message)), heal: 'report' },
      store,
      readModel,
      waitForReadModel,
      calcom: client,
      schedule: false,
      logger: false,
    });
    stack.push(() => drift.stop());
    return {
      syncRunning: false,
      plan: (options) => service.plan(options),
      saveCatalog: async () => void (await service.saveCatalog(CLI_METADATA('connect the Cal.com account'))),
      registerWebhook: (options) => service.registerWebhook(options),
      adoptBookings: async (options, limit) => {
        const step = await service.adoptBookings(options, limit, { ...CLI_METADATA('connect the Cal.com account'), source: 'calcom' });
        // The next batch reads which bookings the ledger knows from the read models: let them catch up first.
        await catchUpReadModels(store, projector);
        return step;
      },
      driftCheck: async () => {
        const outcome = await drift.reconciler!.check('full', 'cli');
        await projector.waitUntilProcessed(outcome.position, 60_000);
        return outcome.check as DriftReportWithItems;
      },
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}
