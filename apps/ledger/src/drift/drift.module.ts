import { type DynamicModule, Module } from '@nestjs/common';
import type { Registry } from 'prom-client';
import { SyncHealthQueries } from '#projections';
import { DriftController } from './drift.controller.js';
import { registerSyncHealthMetrics } from './drift.metrics.js';
import { DriftService } from './drift.service.js';
import { DRIFT_CLOCK } from './drift.tokens.js';
import type { RunningDrift } from './start-drift.js';
import { SyncStatusController } from './sync-status.controller.js';

/** The drift report and the sync's health over HTTP (`/drift…`, `/sync/status`), and their gauges on `/metrics`. */
@Module({})
export class DriftModule {
  static register(drift: RunningDrift, metrics: Registry, now: () => Date = () => new Date()): DynamicModule {
    registerSyncHealthMetrics(metrics, drift.health, now);
    return {
      module: DriftModule,
      controllers: [DriftController, SyncStatusController],
      providers: [
        { provide: DriftService, useValue: drift.service },
        { provide: SyncHealthQueries, useValue: drift.health },
        { provide: DRIFT_CLOCK, useValue: now },
      ],
    };
  }
}
