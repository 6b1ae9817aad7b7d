import { type DynamicModule, Module } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import type { DataSource } from 'typeorm';
import type { CalcomClient } from '#calcom';
import type { EventStore } from '#event-store';
import { CalcomSyncQueries, CatalogQueries } from '#projections';
import type { LedgerConfig } from '../config.js';
import { CalcomAccountReader } from './calcom-account.reader.js';
import { CALCOM_CONNECT, CALCOM_WEBHOOK_SECRETS, CalcomConnectController } from './calcom-connect.controller.js';
import { CalcomConnectService } from './calcom-connect.service.js';
import type { CalcomWebhookSecrets } from './calcom-webhook-secrets.js';
import { WebhookSubscriptionManager } from './webhook-subscription.manager.js';

export interface CalcomConnectRuntime {
  config: LedgerConfig;
  store: EventStore;
  readModel: DataSource;
  /** Shared with the webhook intake, so a rotation or disconnect takes effect in this instance at once. */
  webhookSecrets: CalcomWebhookSecrets;
  /** The sync's Cal.com client (the real API, or the in-process sandbox); null: no Cal.com, connect answers 502. */
  client: CalcomClient | null;
  now?: () => Date;
}

export const DEFAULT_SECRET_OVERLAP_MS = 10 * 60_000;

/** `/calcom/connect…`: connect an existing Cal.com account, rotate or remove the ledger's webhook subscription. */
@Module({})
export class CalcomConnectModule {
  static register(runtime: CalcomConnectRuntime): DynamicModule {
    const now = runtime.now ?? (() => new Date());
    return {
      module: CalcomConnectModule,
      controllers: [CalcomConnectController],
      providers: [
        { provide: CALCOM_WEBHOOK_SECRETS, useValue: runtime.webhookSecrets },
        {
          provide: CALCOM_CONNECT,
          useFactory: (commands: CommandBus, secrets: CalcomWebhookSecrets) => {
            const { client, config } = runtime;
            if (!client) return null;
            return new CalcomConnectService({
              reader: new CalcomAccountReader(client),
              webhooks: new WebhookSubscriptionManager(client, secrets, config.calcomWebhookSecretOverlapMs ?? DEFAULT_SECRET_OVERLAP_MS),
              store: runtime.store,
              catalog: new CatalogQueries(runtime.readModel),
              links: new CalcomSyncQueries(runtime.readModel),
              commands,
              publicUrl: config.publicUrl ?? null,
              now,
            });
          },
          inject: [CommandBus, CALCOM_WEBHOOK_SECRETS],
        },
      ],
    };
  }
}
