import { STREAM_DOES_NOT_EXIST, type Event, type ExpectedStreamVersion } from '@event-driven-io/emmett';
import { getPostgreSQLEventStore } from '@event-driven-io/emmett-postgresql';
import type { Appender } from '../../appends/appender.js';
import type { BenchEvent } from '../../workload/bench-event.js';

export type EmmettEvent = Event<string, Record<string, unknown>, Record<string, unknown>>;

/** Emmett's PostgreSQL event store with its defaults (its own pool), schema migrated before the first append. */
export async function openEmmettAppender(url: string): Promise<Appender> {
  const store = getPostgreSQLEventStore(url);
  await store.schema.migrate();
  const versions = new Map<string, bigint>();
  return {
    async append(streamName, events) {
      const expectedStreamVersion: ExpectedStreamVersion<bigint> = versions.get(streamName) ?? STREAM_DOES_NOT_EXIST;
      const result = await store.appendToStream<EmmettEvent>(streamName, events.map(toEmmettEvent), { expectedStreamVersion });
      versions.set(streamName, result.nextExpectedStreamVersion);
    },
    close: () => store.close(),
  };
}

/** Emmett takes the message id from `metadata.messageId` when given, so it stores the same ids as the others. */
export function toEmmettEvent(event: BenchEvent): EmmettEvent {
  return { type: event.type, data: event.data, metadata: { ...event.metadata, messageId: event.id } };
}
