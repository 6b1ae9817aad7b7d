import { Inject } from '@nestjs/common';
import { Query, QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { appointmentStream, NotFoundError } from '../../../../libs/domain/src/index.js';
import type { EventMetadata, EventStore } from '../../../../libs/event-store/src/event-store.port.js';
import { EVENT_STORE } from '../ledger.tokens.js';

export interface HistoryEntry {
  streamName: string;
  revision: number;
  type: string;
  data: unknown;
  metadata: EventMetadata;
  recordedAt: string;
  eventId: string;
}

/** Every event of the appointment, oldest first: who changed what, from where, and why. */
export class GetHistory extends Query<{ appointmentId: string; events: HistoryEntry[] }> {
  constructor(readonly appointmentId: string) {
    super();
  }
}

@QueryHandler(GetHistory)
export class GetHistoryHandler implements IQueryHandler<GetHistory> {
  constructor(@Inject(EVENT_STORE) private readonly store: EventStore) {}

  async execute({ appointmentId }: GetHistory) {
    const events = await this.store.readStream(appointmentStream(appointmentId));
    if (events.length === 0) throw new NotFoundError('appointment', appointmentId);
    return {
      appointmentId,
      events: events.map((event) => ({
        streamName: event.streamName,
        revision: event.revision,
        type: event.type,
        data: event.data,
        metadata: event.metadata,
        recordedAt: event.recordedAt,
        eventId: event.id,
      })),
    };
  }
}
