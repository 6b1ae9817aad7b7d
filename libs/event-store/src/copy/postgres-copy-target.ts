import type pg from 'pg';
import type { ExpectedRevision, RecordedEvent } from '../event-store.port.js';
import { rechainStream } from '../postgres/postgres-chain-migration.js';
import type { PostgresEventStore } from '../postgres/postgres-event-store.js';
import type { CopyTarget } from './copy-target.js';

/**
 * Copies into a PostgreSQL event store through its own append (ids, revisions and retries as always), then sets
 * the batch's recording times to the source's in one statement: `recorded_at` is stamped by the database and
 * drives `until` reads, history and the read models' timestamps. Both steps are repeatable, so a copy
 * interrupted between them converges when it resumes. The recording time is part of each event's hash, so the
 * streams of the batch are re-chained from their first copied revision.
 */
export class PostgresCopyTarget implements CopyTarget {
  constructor(
    private readonly store: PostgresEventStore,
    private readonly pool: pg.Pool,
  ) {}

  async appendCopied(streamName: string, events: RecordedEvent[]): Promise<void> {
    const first = events[0].revision;
    const expectedRevision: ExpectedRevision = first === 0 ? 'no_stream' : first - 1;
    await this.store.appendToStream(
      streamName,
      events.map(({ id, type, data, metadata }) => ({ id, type, data, metadata })),
      { expectedRevision },
    );
  }

  async completeBatch(events: RecordedEvent[]): Promise<void> {
    await this.pool.query(
      `UPDATE events AS e SET recorded_at = c.recorded_at
         FROM unnest($1::uuid[], $2::timestamptz[]) AS c(event_id, recorded_at)
        WHERE e.event_id = c.event_id AND e.recorded_at IS DISTINCT FROM c.recorded_at`,
      [events.map((event) => event.id), events.map((event) => event.recordedAt)],
    );
    const firstRevisions = new Map<string, number>();
    for (const event of events) firstRevisions.set(event.streamName, Math.min(event.revision, firstRevisions.get(event.streamName) ?? event.revision));
    for (const [streamName, revision] of firstRevisions) await rechainStream(this.pool, streamName, revision);
  }
}
