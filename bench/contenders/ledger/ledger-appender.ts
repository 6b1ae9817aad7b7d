import { type EventStore, type ExpectedRevision, type NewEvent, openEventStore } from '#event-store';
import type { Appender } from '../../appends/appender.js';
import type { BenchEvent } from '../../workload/bench-event.js';

/** This project's PostgresEventStore, opened exactly as the ledger app opens it (pool of 10). */
export async function openLedgerAppender(url: string): Promise<Appender> {
  const opened = await openEventStore({ postgresUrl: url });
  return appenderOver(opened.store, () => opened.close());
}

/** Appends as a command handler that has just read the stream would: at the stream's exact current revision. */
export function appenderOver(store: EventStore, close: () => Promise<void>): Appender {
  const revisions = new Map<string, number>();
  return {
    async append(streamName, events) {
      const expectedRevision: ExpectedRevision = revisions.get(streamName) ?? 'no_stream';
      const result = await store.appendToStream(streamName, events.map(toNewEvent), { expectedRevision });
      revisions.set(streamName, result.nextExpectedRevision);
    },
    close,
  };
}

export function toNewEvent(event: BenchEvent): NewEvent {
  return { id: event.id, type: event.type, data: event.data, metadata: event.metadata };
}
