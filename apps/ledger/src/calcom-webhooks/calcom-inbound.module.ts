import { type DynamicModule, Module } from '@nestjs/common';
import type { Registry } from 'prom-client';
import type { DataSource } from 'typeorm';
import { DEFAULT_GROUP_COMMIT, type EventStore, GroupCommitAppender, type Position } from '#event-store';
import { CalcomInboundQueries } from '#projections';
import type { LedgerConfig } from '../config.js';
import { registerCalcomInboundMetrics } from './calcom-inbound.metrics.js';
import type { CalcomWebhookSecrets } from '../calcom-connect/calcom-webhook-secrets.js';
import { CalcomWebhookIntake } from './calcom-webhook.intake.js';
import { CalcomWebhooksController } from './calcom-webhooks.controller.js';
import { ConflictResolutionService } from '../conflicts/conflict-resolution.service.js';
import { ConflictsController } from '../conflicts/conflicts.controller.js';
import { NotificationsController } from '../notifications/notifications.controller.js';
import { WEBHOOK_FACT_STORE, WebhookFactRetryController } from './webhook-fact-retry.controller.js';
import type { WebhookIntakeLoad } from './webhook-intake-load.js';

export interface CalcomInboundRuntime {
  config: LedgerConfig;
  store: EventStore;
  readModel: DataSource;
  waitForReadModel(position: Position): Promise<void>;
  /** The connected subscriptions' secrets, besides CALCOM_WEBHOOK_SECRET. */
  webhookSecrets: CalcomWebhookSecrets;
  /** Where the inbound gauges go (`GET /metrics`). */
  metrics?: Registry;
  now?: () => Date;
  /** Counts the deliveries waiting for their commit, for the translator of this process to give way to. */
  intakeLoad?: WebhookIntakeLoad;
}

/** Cal.com coming in, over HTTP: the webhook intake, conflicts and notifications. */
@Module({})
export class CalcomInboundModule {
  static register(runtime: CalcomInboundRuntime): DynamicModule {
    const queries = new CalcomInboundQueries(runtime.readModel);
    if (runtime.metrics) registerCalcomInboundMetrics(runtime.metrics, queries);
    return {
      module: CalcomInboundModule,
      controllers: [CalcomWebhooksController, ConflictsController, NotificationsController, WebhookFactRetryController],
      providers: [
        {
          provide: CalcomWebhookIntake,
          useFactory: () => {
            const facts = new GroupCommitAppender(runtime.store, runtime.config.webhookIntake ?? DEFAULT_GROUP_COMMIT);
            const load = runtime.intakeLoad;
            return new CalcomWebhookIntake(
              (append) => (load ? load.track(facts.append(append)) : facts.append(append)),
              runtime.config.calcomWebhookSecret ?? null,
              runtime.now,
              runtime.webhookSecrets,
            );
          },
        },
        { provide: CalcomInboundQueries, useValue: queries },
        { provide: WEBHOOK_FACT_STORE, useValue: runtime.store },
        { provide: ConflictResolutionService, useValue: new ConflictResolutionService(runtime.store, queries, runtime.waitForReadModel) },
      ],
    };
  }
}
