import type { Provider } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import type { DataSource } from 'typeorm';
import { IdempotentRequests } from '../idempotency/idempotent-requests.js';
import { BulkCommandRunner } from './bulk-command.runner.js';

/** `POST /appointments/bulk` and the idempotency keys it shares with the staff absences. */
export const appointmentsBulkProviders = (readModel: DataSource): Provider[] => [
  { provide: IdempotentRequests, useFactory: () => IdempotentRequests.open(readModel) },
  {
    provide: BulkCommandRunner,
    useFactory: (commands: CommandBus, requests: IdempotentRequests) => new BulkCommandRunner(commands, requests),
    inject: [CommandBus, IdempotentRequests],
  },
];
