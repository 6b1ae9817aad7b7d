import type pg from 'pg';
import { canonicalJson, chainedHash, digestOfCanonical } from '#event-store';
import type { BenchEvent } from '../workload/bench-event.js';

const INSERT_EVENTS = `
INSERT INTO events (event_id, stream_name, revision, type, data, metadata, recorded_at, hash)
SELECT e.event_id, e.stream_name, e.revision, e.type, $5::jsonb -> (e.n::int - 1), $6::jsonb -> (e.n::int - 1), $7::timestamptz, e.hash
  FROM unnest($1::uuid[], $2::text[], $3::bigint[], $4::text[], $8::text[]) WITH ORDINALITY AS e(event_id, stream_name, revision, type, hash, n)
 ORDER BY e.n`;

const UPSERT_STREAMS = `
INSERT INTO streams (stream_name, revision, last_transaction_id, last_hash)
SELECT s.stream_name, s.revision, pg_current_xact_id(), s.last_hash FROM unnest($1::text[], $2::bigint[], $3::text[]) AS s(stream_name, revision, last_hash)
ON CONFLICT (stream_name) DO UPDATE SET revision = EXCLUDED.revision, last_transaction_id = EXCLUDED.last_transaction_id, last_hash = EXCLUDED.last_hash`;

interface StreamHead {
  revision: number;
  hash: string;
}

/** A chunk's rows as the two statements take them, hashes and all. */
interface ChainedChunk {
  insertEvents: unknown[];
  upsertStreams: unknown[];
}

/**
 * Writes events the way append_to_stream would, many streams per statement: each event's hash computed here by the
 * hash chain's own functions (content digest, then chained over revision, recording time and the stream's previous
 * hash), the rows and stream heads inserted set-wise. Seeding a million appointments through one plpgsql call per
 * event took over an hour on a loaded machine; `npm run audit:verify` accepts these rows as it accepts appended ones.
 * Nothing else may append to the database while it seeds: the stream heads are kept here.
 *
 * The client's share (hashing, and the caller generating the next chunk) overlaps the server writing the previous
 * chunk; chunks are still written one after another, in order.
 */
export class ChainedSeeder {
  private readonly heads = new Map<string, StreamHead>();
  private written: Promise<void> = Promise.resolve();

  constructor(private readonly pool: pg.Pool) {}

  /** Hashes the chunk at once and starts writing it when the previous chunk is written; `flush` waits for the last. */
  async seed(chunk: readonly BenchEvent[]): Promise<void> {
    const chained = this.chain(chunk);
    await this.written;
    this.written = this.write(chained);
  }

  async flush(): Promise<void> {
    await this.written;
  }

  private chain(chunk: readonly BenchEvent[]): ChainedChunk {
    const recordedAt = new Date().toISOString();
    const revisions: number[] = [];
    const hashes: string[] = [];
    const touched = new Map<string, StreamHead>();
    const data: string[] = [];
    const metadata: string[] = [];
    for (const event of chunk) {
      const previous = touched.get(event.streamName) ?? this.heads.get(event.streamName);
      const canonicalData = canonicalJson(event.data);
      const canonicalMetadata = canonicalJson(event.metadata);
      const digest = digestOfCanonical({ eventId: event.id, streamName: event.streamName, type: event.type }, canonicalData, canonicalMetadata);
      const revision = previous ? previous.revision + 1 : 0;
      const hash = chainedHash(digest, { revision, recordedAt, previousHash: previous?.hash ?? null });
      touched.set(event.streamName, { revision, hash });
      revisions.push(revision);
      hashes.push(hash);
      data.push(canonicalData);
      metadata.push(canonicalMetadata);
    }
    // The next chunk continues these heads even before this one is written: a failed write ends the seeding anyway.
    for (const [name, head] of touched) this.heads.set(name, head);
    const streams = [...touched];
    return {
      insertEvents: [
        chunk.map((event) => event.id),
        chunk.map((event) => event.streamName),
        revisions,
        chunk.map((event) => event.type),
        `[${data.join(',')}]`,
        `[${metadata.join(',')}]`,
        recordedAt,
        hashes,
      ],
      upsertStreams: [streams.map(([name]) => name), streams.map(([, head]) => head.revision), streams.map(([, head]) => head.hash)],
    };
  }

  private async write(chained: ChainedChunk): Promise<void> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      await client.query(INSERT_EVENTS, chained.insertEvents);
      await client.query(UPSERT_STREAMS, chained.upsertStreams);
      await client.query('COMMIT');
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }
}
