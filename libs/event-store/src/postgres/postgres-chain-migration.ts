import type pg from 'pg';
import { eventHash } from '../hash-chain/event-hash.js';
import { inTransaction } from './postgres-transaction.js';

const PAGE = 1000;

interface UnhashedRow {
  event_id: string;
  stream_name: string;
  revision: string;
  type: string;
  data: unknown;
  metadata: unknown;
  recorded_at: string;
}

/**
 * Chains the events of a ledger recorded before the hash chain existed, stream by stream in revision order, exactly
 * as append_to_stream would have. Runs inside the schema migration's transaction; appends wait for it (the tables
 * are locked), which only happens once, on the upgrade: only streams that append_to_stream never chained (no
 * `last_hash`) are taken. The column stays nullable and a row written into the table by hand, bypassing
 * append_to_stream, is never chained here: it is what a verify run must name.
 */
export async function chainUnhashedEvents(client: pg.PoolClient): Promise<void> {
  const { rows: pending } = await client.query<{ found: boolean }>('SELECT EXISTS (SELECT 1 FROM streams WHERE last_hash IS NULL AND revision >= 0) AS found');
  if (pending[0].found) {
    await client.query('LOCK TABLE streams, events IN SHARE ROW EXCLUSIVE MODE');
    await chainPages(client);
    await client.query(`UPDATE streams s SET last_hash = e.hash FROM events e
                         WHERE e.stream_name = s.stream_name AND e.revision = s.revision AND s.last_hash IS NULL`);
  }
}

async function chainPages(client: pg.PoolClient): Promise<void> {
  let after: { stream: string; revision: string } = { stream: '', revision: '-1' };
  let previous: { stream: string; hash: string | null } = { stream: '', hash: null };
  for (;;) {
    const { rows } = await client.query<UnhashedRow>(
      `SELECT event_id, stream_name, revision, type, data, metadata,
              to_char(recorded_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS recorded_at
         FROM events WHERE (stream_name, revision) > ($1, $2::bigint)
          AND stream_name IN (SELECT stream_name FROM streams WHERE last_hash IS NULL)
        ORDER BY stream_name, revision LIMIT ${PAGE}`,
      [after.stream, after.revision],
    );
    if (rows.length === 0) return;
    const ids: string[] = [];
    const hashes: string[] = [];
    for (const row of rows) {
      const revision = Number(row.revision);
      const previousHash = previous.stream === row.stream_name ? previous.hash : await storedHash(client, row.stream_name, revision - 1);
      const hash = eventHash(
        { eventId: row.event_id, streamName: row.stream_name, type: row.type, data: row.data, metadata: row.metadata },
        { revision, recordedAt: row.recorded_at, previousHash },
      );
      ids.push(row.event_id);
      hashes.push(hash);
      previous = { stream: row.stream_name, hash };
    }
    await client.query('UPDATE events e SET hash = n.hash FROM unnest($1::uuid[], $2::text[]) AS n(event_id, hash) WHERE e.event_id = n.event_id', [ids, hashes]);
    const last = rows[rows.length - 1];
    after = { stream: last.stream_name, revision: last.revision };
  }
}

/** A stream's chain continues from a hashed event (or starts at revision 0 with none). */
async function storedHash(client: pg.PoolClient, streamName: string, revision: number): Promise<string | null> {
  if (revision < 0) return null;
  const { rows } = await client.query<{ hash: string | null }>('SELECT hash FROM events WHERE stream_name = $1 AND revision = $2', [streamName, revision]);
  return rows[0]?.hash ?? null;
}

/**
 * Re-chains one stream from a revision on: for events:copy, which gives copied events the recording time of the
 * store they come from after appending them (the time is part of the hash). Locks the stream row as an append does.
 */
export async function rechainStream(pool: pg.Pool, streamName: string, fromRevision: number): Promise<void> {
  await inTransaction(pool, async (client) => {
    await client.query('SELECT 1 FROM streams WHERE stream_name = $1 FOR NO KEY UPDATE', [streamName]);
    const { rows } = await client.query<UnhashedRow>(
      `SELECT event_id, stream_name, revision, type, data, metadata,
              to_char(recorded_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS recorded_at
         FROM events WHERE stream_name = $1 AND revision >= $2 ORDER BY revision`,
      [streamName, fromRevision],
    );
    let previousHash = await storedHash(client, streamName, fromRevision - 1);
    const hashes = rows.map((row) => {
      previousHash = eventHash(
        { eventId: row.event_id, streamName, type: row.type, data: row.data, metadata: row.metadata },
        { revision: Number(row.revision), recordedAt: row.recorded_at, previousHash },
      );
      return previousHash;
    });
    await client.query('UPDATE events e SET hash = n.hash FROM unnest($1::uuid[], $2::text[]) AS n(event_id, hash) WHERE e.event_id = n.event_id', [
      rows.map((row) => row.event_id),
      hashes,
    ]);
    if (hashes.length > 0) await client.query('UPDATE streams SET last_hash = $2 WHERE stream_name = $1', [streamName, hashes.at(-1)]);
  });
}
