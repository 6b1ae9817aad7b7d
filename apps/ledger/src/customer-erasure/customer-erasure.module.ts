import { type DynamicModule, Module } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import { type EventStore, PersonalDataEventStore, type Position } from '#event-store';
import type { Projector } from '#projections';
import { readModelsCaughtUp } from '../read-your-writes.js';
import { CustomerErasureController } from './customer-erasure.controller.js';
import { CustomerErasureService } from './customer-erasure.service.js';

export interface CustomerErasureRuntime {
  store: EventStore;
  readModel: DataSource;
  projector: Projector;
  waitForReadModel(position: Position): Promise<void>;
  config: { readYourWritesTimeoutMs: number };
}

/** `POST /customers/erase` (issue 15: crypto-shredding); none for a store opened without personal-data protection. */
@Module({})
export class CustomerErasureModule {
  static register(runtime: CustomerErasureRuntime): DynamicModule[] {
    const protection = PersonalDataEventStore.protectionOf(runtime.store);
    if (!protection) return [];
    const caughtUp = readModelsCaughtUp(runtime.projector, runtime.store);
    const service = new CustomerErasureService(runtime.store, protection, runtime.readModel, () => caughtUp(runtime.config.readYourWritesTimeoutMs, []), runtime.waitForReadModel);
    return [{ module: CustomerErasureModule, controllers: [CustomerErasureController], providers: [{ provide: CustomerErasureService, useValue: service }] }];
  }
}
