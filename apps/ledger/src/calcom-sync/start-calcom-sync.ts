import { randomBytes } from 'node:crypto';
import { Counter } from 'prom-client';
import type { DataSource } from 'typeorm';
import { startSandbox, type RunningSandbox } from '#calcom-sandbox';
import { CalcomClient } from '#calcom';
import type { EventStore } from '#event-store';
import { CalcomSyncQueries, type Projector } from '#projections';
import type { CalcomSettings, LedgerConfig } from '../config.js';
import { CalcomCatalog } from './calcom-catalog.js';
import { CalcomKeyOwner } from './calcom-key-owner.js';
import { CalcomSyncProcessManager } from './calcom-sync.process-manager.js';
import { CalcomSyncRecorder } from './calcom-sync.recorder.js';
import { CalcomSyncRunner } from './calcom-sync.runner.js';

export const CALCOM_WEBHOOK_PATH = '/webhooks/calcom';

export interface CalcomSyncLogger {
  log(message: string, ...context: unknown[]): void;
  warn(message: string, ...context: unknown[]): void;
  error(message: string, ...context: unknown[]): void;
}

export interface RunningCalcomSync {
  /** The outbound process manager while this instance runs the background workers; null on a standby. */
  readonly processManager: CalcomSyncProcessManager | null;
  /** Starts a fresh process manager (a stopped one does not restart); it resumes from its checkpoint. */
  startProcessManager(): void;
  stopProcessManager(): Promise<void>;
  queries: CalcomSyncQueries;
  client: CalcomClient;
  /** Where Cal.com (or the in-process sandbox) answers. */
  apiUrl: string;
  /** The in-process sandbox, when there is no API key. */
  sandbox: RunningSandbox | null;
  /** The sync's own metrics, for the app's registry (`GET /metrics`). */
  metrics: Counter[];
  /** Once the ledger listens: the sandbox sends its webhooks to the ledger's own intake. */
  ledgerListening(ledgerUrl: string): void;
  stop(): Promise<void>;
}

export const DEFAULT_OPERATION_MAX_ATTEMPTS = 10;
export const DEFAULT_OPERATION_MAX_MS = 30 * 60_000;

const NO_LOGGER: CalcomSyncLogger = { log: () => undefined, warn: () => undefined, error: () => undefined };

/**
 * Without a Cal.com API key the ledger brings its own Cal.com: the sandbox, in-process. Its webhooks need a secret
 * the intake shares; when none is configured one is made up here, once, for this run.
 */
export function withSandboxWebhookSecret<C extends LedgerConfig & { calcomWebhookSecret?: string | null }>(config: C): C {
  if (!config.calcom || config.calcom.apiKey || config.calcomWebhookSecret) return config;
  return { ...config, calcomWebhookSecret: randomBytes(32).toString('hex') };
}

/**
 * Connects to Cal.com (starting the sandbox when there is no key) and prepares the outbound sync, whose process
 * manager runs only between `startProcessManager()` and `stopProcessManager()`. Null without Cal.com settings.
 */
export async function startCalcomSync(options: {
  config: LedgerConfig & { calcomWebhookSecret?: string | null };
  store: EventStore;
  readModel: DataSource;
  projector: Projector;
  logger: CalcomSyncLogger | false;
}): Promise<RunningCalcomSync | null> {
  const settings = options.config.calcom;
  if (!settings) return null;
  const logger = options.logger || NO_LOGGER;
  const sandbox = settings.apiKey ? null : await startInProcessSandbox(settings, options.config.calcomWebhookSecret ?? undefined, logger);
  const apiUrl = sandbox?.url ?? settings.apiUrl;
  const client = new CalcomClient({
    apiUrl,
    apiKey: sandbox?.apiKey ?? settings.apiKey!,
    timeoutMs: settings.timeoutMs,
    rateLimitPerMinute: settings.rateLimitPerMinute,
    logger: { warn: (message, fields) => logger.warn(`${message} ${JSON.stringify(fields ?? {})}`, 'CalcomClient') },
  });
  const { store, readModel, projector } = options;
  const queries = new CalcomSyncQueries(readModel);
  const pastHalfBudget = new Counter({
    name: 'ledger_calcom_operations_past_half_budget_total',
    help: 'Cal.com operations whose failures used more than half their budget (CALCOM_OPERATION_MAX_ATTEMPTS / _MAX_MS), by operation',
    labelNames: ['operation'] as const,
    registers: [],
  });
  const keyOwner = new CalcomKeyOwner(client, { warn: (message) => logger.warn(message, 'CalcomSync') });
  const createProcessManager = () => {
    const catalog = new CalcomCatalog(store, client);
    const worker = new CalcomSyncRunner({
      store,
      client,
      catalog,
      recorder: new CalcomSyncRecorder(store),
      backoff: { initialDelayMs: settings.retryInitialDelayMs, maxDelayMs: settings.retryMaxDelayMs },
      budget: { maxAttempts: settings.operationMaxAttempts ?? DEFAULT_OPERATION_MAX_ATTEMPTS, maxMs: settings.operationMaxMs ?? DEFAULT_OPERATION_MAX_MS },
      onPastHalfBudget: (operation) => pastHalfBudget.inc({ operation }),
      keyOwner,
      now: () => new Date(),
      logger: { warn: (message) => logger.warn(message, 'CalcomSync') },
    });
    return new CalcomSyncProcessManager({
      store,
      readModel,
      projector,
      queries,
      catalog,
      worker,
      concurrency: settings.syncConcurrency,
      logger: { log: (message) => logger.log(message, 'CalcomSync'), error: (message, error) => logger.error(`${message}: ${describe(error)}`, 'CalcomSync') },
    });
  };
  let processManager: CalcomSyncProcessManager | null = null;
  const stopProcessManager = async () => {
    const stopping = processManager;
    processManager = null;
    await stopping?.stop();
  };
  if (!sandbox) logger.log(`Cal.com sync talking to ${apiUrl} (${settings.syncConcurrency} appointments at a time)`, 'CalcomSync');
  return {
    get processManager() {
      return processManager;
    },
    startProcessManager() {
      if (processManager) return;
      processManager = createProcessManager();
      processManager.start();
    },
    stopProcessManager,
    queries,
    client,
    apiUrl,
    sandbox,
    metrics: [pastHalfBudget],
    ledgerListening(ledgerUrl) {
      if (!sandbox) return;
      sandbox.setWebhookUrl(`${ledgerUrl}${CALCOM_WEBHOOK_PATH}`);
      logger.log(`Cal.com sandbox webhooks go to ${ledgerUrl}${CALCOM_WEBHOOK_PATH}`, 'CalcomSync');
    },
    async stop() {
      await stopProcessManager();
      client.close();
      await sandbox?.close();
    },
  };
}

async function startInProcessSandbox(settings: CalcomSettings, webhookSecret: string | undefined, logger: CalcomSyncLogger): Promise<RunningSandbox> {
  let sandbox: RunningSandbox;
  try {
    sandbox = await startSandbox({ port: settings.sandboxPort, webhookSecret });
  } catch (error) {
    if ((error as { code?: string }).code !== 'EADDRINUSE') throw error;
    logger.warn(`SANDBOX_PORT ${settings.sandboxPort} is in use; the Cal.com sandbox takes a free port instead`, 'CalcomSync');
    sandbox = await startSandbox({ port: 0, webhookSecret });
  }
  logger.log(
    `No CALCOM_API_KEY: the Cal.com sandbox runs in-process at ${sandbox.url} (API ${sandbox.url}/v2, key ${sandbox.apiKey}, levers ${sandbox.url}/_sandbox) and the ledger syncs with it`,
    'CalcomSync',
  );
  return sandbox;
}

function describe(error: unknown): string {
  return error instanceof Error ? (error.stack ?? error.message) : String(error);
}
