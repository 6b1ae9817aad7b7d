import { Inject } from '@nestjs/common';
import { Query, QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { appointmentStream, calcomSyncStream, NotFoundError } from '#domain';
import type { EventMetadata, EventStore, RecordedEvent } from '#event-store';
import { CalcomSyncQueries } from '#projections';
import { EVENT_STORE } from '../ledger.tokens.js';

export interface HistoryEntry {
  streamName: string;
  revision: number;
  /** The event's place in the store's global order: entries are sorted by it. */
  position: string;
  type: string;
  data: unknown;
  metadata: EventMetadata;
  recordedAt: string;
  eventId: string;
}

/**
 * One timeline of the appointment, oldest first: the admin's and Cal.com's changes (`appointment-<id>`), every call
 * the sync made to Cal.com and what Cal.com answered (`calcomsync-<id>`), and the webhook deliveries about it (their
 * fact streams), each with its correlation and causation ids.
 */
export class GetHistory extends Query<{ appointmentId: string; events: HistoryEntry[] }> {
  constructor(readonly appointmentId: string) {
    super();
  }
}

@QueryHandler(GetHistory)
export class GetHistoryHandler implements IQueryHandler<GetHistory> {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    private readonly calcom: CalcomSyncQueries,
  ) {}

  async execute({ appointmentId }: GetHistory) {
    const [appointmentEvents, syncEvents, factStreams] = await Promise.all([
      this.store.readStream(appointmentStream(appointmentId)),
      this.store.readStream(calcomSyncStream(appointmentId)),
      this.calcom.webhookFactStreamsOf(appointmentId),
    ]);
    if (appointmentEvents.length === 0) throw new NotFoundError('appointment', appointmentId);
    const factEvents = (await Promise.all(factStreams.map((stream) => this.store.readStream(stream)))).flat();
    const events = [...appointmentEvents, ...syncEvents, ...factEvents].sort((a, b) => this.store.comparePositions(a.position, b.position));
    return { appointmentId, events: events.map(toEntry) };
  }
}

function toEntry(event: RecordedEvent): HistoryEntry {
  return {
    streamName: event.streamName,
    revision: event.revision,
    position: event.position,
    type: event.type,
    data: event.data,
    metadata: event.metadata,
    recordedAt: event.recordedAt,
    eventId: event.id,
  };
}
