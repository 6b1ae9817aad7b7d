import type pg from 'pg';
import { START, type Position } from '../event-store.port.js';
import type { AuditLog } from '../hash-chain/audit-log.js';
import type { Anchor, AuditedEvent, AuditSession, StreamHead } from '../hash-chain/audit-session.js';
import { foldHead, GENESIS_HEAD } from '../hash-chain/event-hash.js';
import type { EventRow } from './postgres-event-store.queries.js';
import { inTransaction } from './postgres-transaction.js';
import { comparePostgresPositions, decodePosition, encodePosition } from './postgres-position.js';

const PAGE = 1000;
const POSITION = /^[0-9]{1,20}:[0-9]{1,20}$/;
const MAX_BIGINT = 2n ** 63n - 1n;

interface AuditRow extends EventRow {
  hash: string | null;
}

interface AnchorRow {
  transaction_id: string;
  global_position: string;
  head_hash: string;
  event_count: string;
  reason: string;
  created_at: string;
}

const ISO_MS = `'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'`;

/**
 * The PostgreSQL store's hash chain as auditors see it: one snapshot per verify run or export (a REPEATABLE READ,
 * READ ONLY transaction on a connection of its own, read in pages, so memory stays bounded), and the anchors.
 */
export class PostgresAuditLog implements AuditLog {
  constructor(private readonly pool: pg.Pool) {}

  withSession<T>(work: (session: AuditSession) => Promise<T>): Promise<T> {
    return inTransaction(this.pool, (client) => work(sessionOn(client)), 'BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
  }

  parsePosition(text: string): Position | null {
    if (!POSITION.test(text)) return null;
    const { transactionId, globalPosition } = decodePosition(text);
    return transactionId <= MAX_BIGINT && globalPosition <= MAX_BIGINT ? encodePosition(transactionId, globalPosition) : null;
  }

  async anchors(limit: number): Promise<Anchor[]> {
    const { rows } = await this.pool.query<AnchorRow>(`${ANCHOR_SELECT} ORDER BY audit_anchors.transaction_id DESC, audit_anchors.global_position DESC LIMIT $1`, [limit]);
    return rows.map(toAnchor);
  }

  /**
   * Folds the hashes of every event after the newest anchor into a new one, up to the last event whose place in the
   * global order is final (below the oldest running transaction): an event committed later can never land before
   * the anchor. One writer at a time (advisory lock). Returns the newest anchor, new or not; null on an empty ledger.
   */
  async takeAnchor(reason: string): Promise<Anchor | null> {
    // READ COMMITTED: the newest anchor must be read after the lock is held (a snapshot taken before would miss
    // the one another taker just wrote). Each page sees a newer horizon, which only ever adds events after the last.
    return inTransaction(this.pool, async (client) => {
      await client.query(`SELECT pg_advisory_xact_lock(hashtext('audit_anchor'))`);
      const { rows: latest } = await client.query<AnchorRow>(`${ANCHOR_SELECT} ORDER BY audit_anchors.transaction_id DESC, audit_anchors.global_position DESC LIMIT 1`);
      const previous = latest[0] ? toAnchor(latest[0]) : null;
      let head = previous?.headHash ?? GENESIS_HEAD;
      let count = previous?.eventCount ?? 0;
      let after = decodePosition(previous?.position ?? START);
      let last: AuditRow | null = null;
      for (;;) {
        const { rows } = await client.query<Pick<AuditRow, 'transaction_id' | 'global_position' | 'hash'>>(
          `SELECT transaction_id::text AS transaction_id, global_position::text AS global_position, hash FROM events
            WHERE (transaction_id, global_position) > ($1::xid8, $2::bigint)
              AND transaction_id < pg_snapshot_xmin(pg_current_snapshot())
            ORDER BY events.transaction_id, events.global_position LIMIT ${PAGE}`,
          [after.transactionId.toString(), after.globalPosition.toString()],
        );
        for (const row of rows) head = foldHead(head, row.hash ?? '');
        count += rows.length;
        if (rows.length === 0) break;
        last = rows.at(-1) as AuditRow;
        after = { transactionId: BigInt(last.transaction_id), globalPosition: BigInt(last.global_position) };
      }
      if (last === null) return previous;
      const { rows } = await client.query<AnchorRow>(
        `INSERT INTO audit_anchors (transaction_id, global_position, head_hash, event_count, reason)
         VALUES ($1::xid8, $2, $3, $4, $5)
         RETURNING transaction_id::text, global_position::text, head_hash, event_count::text, reason,
                   to_char(created_at AT TIME ZONE 'UTC', ${ISO_MS}) AS created_at`,
        [last.transaction_id, last.global_position, head, count, reason],
      );
      return toAnchor(rows[0]);
    });
  }

  /**
   * A time bound as a place in the global order: `from` is just before the first event recorded at or after it,
   * `to` the last event recorded at or before it (null when there is none).
   */
  async positionAtTime(time: string, bound: 'from' | 'to'): Promise<Position | null> {
    const sql =
      bound === 'from'
        ? `SELECT transaction_id::text AS transaction_id, global_position::text AS global_position FROM events
          WHERE recorded_at >= $1 ORDER BY events.transaction_id, events.global_position LIMIT 1`
        : `SELECT transaction_id::text AS transaction_id, global_position::text AS global_position FROM events
          WHERE recorded_at <= $1 ORDER BY events.transaction_id DESC, events.global_position DESC LIMIT 1`;
    const { rows } = await this.pool.query<{ transaction_id: string; global_position: string }>(sql, [time]);
    if (!rows[0]) return null;
    if (bound === 'to') return encodePosition(rows[0].transaction_id, rows[0].global_position);
    // Exclusive `after` of the first event: the place just before it in the order.
    return encodePosition(rows[0].transaction_id, BigInt(rows[0].global_position) - 1n);
  }
}

/** ORDER BY must name the table's columns: the text output columns of the same names would sort "995" after "1086". */
const ANCHOR_SELECT = `SELECT transaction_id::text AS transaction_id, global_position::text AS global_position, head_hash,
  event_count::text AS event_count, reason, to_char(created_at AT TIME ZONE 'UTC', ${ISO_MS}) AS created_at FROM audit_anchors`;

function toAnchor(row: AnchorRow): Anchor {
  return {
    position: encodePosition(row.transaction_id, row.global_position),
    headHash: row.head_hash,
    eventCount: Number(row.event_count),
    reason: row.reason,
    createdAt: row.created_at,
  };
}

function sessionOn(client: pg.PoolClient): AuditSession {
  return {
    async *scan(after: Position, until: Position | null) {
      let place = decodePosition(after);
      const end = until === null ? null : decodePosition(until);
      for (;;) {
        const { rows } = await client.query<AuditRow>(
          `SELECT global_position, transaction_id, event_id, stream_name, revision, type, data, metadata, hash,
                  to_char(recorded_at AT TIME ZONE 'UTC', ${ISO_MS}) AS recorded_at
             FROM events
            WHERE (transaction_id, global_position) > ($1::xid8, $2::bigint)
              AND ($3::xid8 IS NULL OR (transaction_id, global_position) <= ($3::xid8, $4::bigint))
            ORDER BY transaction_id, global_position LIMIT ${PAGE}`,
          [place.transactionId.toString(), place.globalPosition.toString(), end?.transactionId.toString() ?? null, end?.globalPosition.toString() ?? null],
        );
        if (rows.length === 0) return;
        yield rows.map(toAuditedEvent);
        const last = rows.at(-1)!;
        place = { transactionId: BigInt(last.transaction_id), globalPosition: BigInt(last.global_position) };
      }
    },
    async storedHash(streamName, revision) {
      const { rows } = await client.query<{ hash: string | null }>('SELECT hash FROM events WHERE stream_name = $1 AND revision = $2', [streamName, revision]);
      return rows.length === 0 ? undefined : rows[0].hash;
    },
    async anchors() {
      const { rows } = await client.query<AnchorRow>(ANCHOR_SELECT);
      return rows.map(toAnchor);
    },
    streamHeads() {
      return streamHeadPages(client);
    },
    comparePositions: comparePostgresPositions,
  };
}

async function* streamHeadPages(client: pg.PoolClient): AsyncIterable<StreamHead[]> {
  let after = '';
  let first = true;
  for (;;) {
    const { rows } = await client.query<{ stream_name: string; revision: string; last_hash: string | null }>(
      `SELECT stream_name, revision, last_hash FROM streams WHERE revision >= 0 AND ($1 OR stream_name > $2)
        ORDER BY stream_name LIMIT ${PAGE}`,
      [first, after],
    );
    if (rows.length === 0) return;
    yield rows.map((row) => ({ streamName: row.stream_name, revision: Number(row.revision), hash: row.last_hash }));
    after = rows.at(-1)!.stream_name;
    first = false;
  }
}

function toAuditedEvent(row: AuditRow): AuditedEvent {
  return {
    position: encodePosition(row.transaction_id, row.global_position),
    eventId: row.event_id,
    streamName: row.stream_name,
    revision: Number(row.revision),
    type: row.type,
    data: row.data,
    metadata: row.metadata,
    recordedAt: row.recorded_at,
    hash: row.hash,
  };
}
