import { type DynamicModule, Module } from '@nestjs/common';
import type { Registry } from 'prom-client';
import type { EventStore } from '#event-store';
import { CalcomSyncController } from './calcom-sync.controller.js';
import { CalcomSyncRetry } from './calcom-sync.retry.js';
import type { RunningCalcomSync } from './start-calcom-sync.js';

/** The sync's HTTP side: `POST /appointments/{id}/sync`. The process manager itself runs outside Nest (startLedger). */
@Module({})
export class CalcomSyncModule {
  static register(store: EventStore, calcomSync: RunningCalcomSync | null | undefined, metrics?: Registry): DynamicModule {
    for (const metric of calcomSync?.metrics ?? []) metrics?.registerMetric(metric);
    const touch = (appointmentId: string) => calcomSync?.processManager?.touch(appointmentId);
    return {
      module: CalcomSyncModule,
      controllers: [CalcomSyncController],
      providers: [{ provide: CalcomSyncRetry, useValue: new CalcomSyncRetry(store, touch) }],
    };
  }
}
