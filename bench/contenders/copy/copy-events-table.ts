import { finished } from 'node:stream/promises';
import type pg from 'pg';
import pgCopyStreams from 'pg-copy-streams';
import type { BenchEvent } from '../../workload/bench-event.js';

/** The same columns as an event store's events table, with nothing but a bigserial key: no checks, no order rules. */
export const COPY_EVENTS_TABLE_SQL = `
CREATE TABLE IF NOT EXISTS copy_events (
  global_position bigserial PRIMARY KEY,
  event_id uuid NOT NULL,
  stream_name text NOT NULL,
  revision bigint NOT NULL,
  type text NOT NULL,
  data jsonb NOT NULL,
  metadata jsonb NOT NULL,
  recorded_at timestamptz NOT NULL DEFAULT now()
)`;

const COPY_STATEMENT = 'COPY copy_events (event_id, stream_name, revision, type, data, metadata) FROM STDIN';

/** Writes events with one COPY, which commits on its own; the revisions are counted on the client, never checked. */
export async function copyEvents(client: pg.PoolClient, events: readonly BenchEvent[], revisions: StreamRevisions): Promise<void> {
  const rows = events.map((event) =>
    [event.id, event.streamName, revisions.next(event.streamName), event.type, copyText(JSON.stringify(event.data)), copyText(JSON.stringify(event.metadata))].join('\t'),
  );
  const ingest = client.query(pgCopyStreams.from(COPY_STATEMENT));
  ingest.end(`${rows.join('\n')}\n`);
  await finished(ingest);
}

/** COPY's text format treats backslashes as escapes; JSON never contains raw tabs or newlines. */
function copyText(value: string): string {
  return value.replaceAll('\\', '\\\\');
}

export class StreamRevisions {
  private readonly last = new Map<string, number>();

  next(streamName: string): number {
    const revision = (this.last.get(streamName) ?? -1) + 1;
    this.last.set(streamName, revision);
    return revision;
  }
}
