import type { LoggerService } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import { SILENT_SUBSCRIPTION_LOGGER, type SubscriptionLogger, type EventStore, openEventStore } from '#event-store';
import { CalcomInboundQueries, CalcomSyncQueries, CatalogQueries, loadCheckpoint, saveCheckpoint, ReadModelIncidentLog } from '#projections';
import type { LedgerConfig } from '../config.js';
import { NotificationSender } from '../notifications/notification-sender.js';
import { WebhookFactTranslator } from './webhook-fact.translator.js';
import { WebhookTargetLoader } from './webhook-target.loader.js';
import { type IntakeFirst, WebhookFactsSubscription, type ReadModelProgress, type WebhookFactsCheckpoints } from './webhook-facts.subscription.js';

export interface CalcomInboundWorkers {
  translator: WebhookFactsSubscription;
  notifier: NotificationSender | null;
  stop(): Promise<void>;
}

export interface CalcomInboundWorkerOptions {
  config: LedgerConfig;
  store: EventStore;
  readModel: DataSource;
  /** The projector: the translator looks uids up in its read models. */
  readModels: ReadModelProgress;
  /** The event store's PostgreSQL URL when it is PostgreSQL (see `translatorWriter`); null otherwise. */
  postgresEventStoreUrl?: string | null;
  logger?: LoggerService | false;
  /** This process's webhook intake, which the translator lets go first. */
  intake?: IntakeFirst;
}

/** Starts the webhook translator and, when NOTIFY_WEBHOOK_URL is set, the notification sender; both resume from their checkpoints. */
export async function startCalcomInboundWorkers({
  config,
  store,
  readModel,
  readModels,
  postgresEventStoreUrl,
  logger,
  intake,
}: CalcomInboundWorkerOptions): Promise<CalcomInboundWorkers> {
  const checkpoints: WebhookFactsCheckpoints = {
    load: (name) => loadCheckpoint(readModel.manager, name),
    save: (name, position) => saveCheckpoint(readModel.manager, name, position),
  };
  const inbound = new CalcomInboundQueries(readModel);
  const writer = postgresEventStoreUrl ? await openEventStore({ postgresUrl: withAsynchronousCommit(postgresEventStoreUrl), poolSize: 8 }) : null;
  const translatorStore = writer?.store ?? store;
  const targets = new WebhookTargetLoader(translatorStore, new CalcomSyncQueries(readModel), inbound, new CatalogQueries(readModel));
  const applier = new WebhookFactTranslator(translatorStore, targets, config.conflictPolicy ?? 'manual');
  const subscriptionLogger = toSubscriptionLogger(logger);
  const incidents = new ReadModelIncidentLog(readModel);
  const translator = new WebhookFactsSubscription(store, applier, inbound, readModels, checkpoints, subscriptionLogger, incidents, intake);
  await translator.start();
  const notifier = config.notifyWebhookUrl ? new NotificationSender(store, checkpoints, { url: config.notifyWebhookUrl, logger: subscriptionLogger, incidents }) : null;
  await notifier?.start();
  return {
    translator,
    notifier,
    async stop() {
      await notifier?.stop();
      await translator.stop();
      await writer?.close();
    },
  };
}

/**
 * The translator writes through connections that commit without waiting for the WAL flush (sequential appends that
 * each waited for fsync capped it at ~30 facts/s). Safe: every id it writes is derived from the fact, and the
 * checkpoint it saves after each batch is an ordinary commit, whose flush makes the WAL before it durable too; a
 * crash before that replays the batch, and the store recognises the repeated appends.
 */
export function withAsynchronousCommit(postgresUrl: string): string {
  const url = new URL(postgresUrl);
  url.searchParams.set('options', '-c synchronous_commit=off');
  return url.toString();
}

function toSubscriptionLogger(logger: LoggerService | false | undefined): SubscriptionLogger | undefined {
  if (logger === false) return SILENT_SUBSCRIPTION_LOGGER;
  if (!logger) return undefined;
  return { log: (message) => logger.log(message, 'CalcomInbound'), error: (message, ...context) => logger.error(message, ...context, 'CalcomInbound') };
}
