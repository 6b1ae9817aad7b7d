import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { START } from '../src/event-store.port.js';
import { canonicalJson } from '../src/hash-chain/canonical-json.js';
import { verifyChain, type VerifyOptions } from '../src/hash-chain/chain-verifier.js';
import { eventHash } from '../src/hash-chain/event-hash.js';
import { PostgresAuditLog } from '../src/postgres/postgres-audit-log.js';
import { PostgresEventStore } from '../src/postgres/postgres-event-store.js';
import { migrateEventStore } from '../src/postgres/postgres-event-store.schema.js';
import { createTestDatabase, type TestDatabase } from '#test-support/test-database';
import { eventually } from '#test-support/eventually';
import { metadata, newEvent, newEvents } from './event-store.fixtures.js';
import { testPool } from './postgres-test-pool.js';

/*
 * Each test gets a ledger of its own: tampering with one breaks it for good.
 */
interface Ledger {
  pool: pg.Pool;
  store: PostgresEventStore;
  audit: PostgresAuditLog;
  verify(options?: VerifyOptions): ReturnType<typeof verifyChain>;
}

const opened: Array<{ database: TestDatabase; ledger: Ledger }> = [];

async function openLedger(): Promise<Ledger> {
  const database = await createTestDatabase('hash_chain');
  const pool = testPool(database.url, 12);
  const store = await PostgresEventStore.create(pool, { pollIntervalMs: 60_000 });
  const audit = new PostgresAuditLog(pool);
  const ledger: Ledger = { pool, store, audit, verify: (options) => audit.withSession((session) => verifyChain(session, options)) };
  opened.push({ database, ledger });
  return ledger;
}

afterAll(async () => {
  for (const { database, ledger } of opened) {
    await ledger.store.close();
    await ledger.pool.end();
    await database.drop();
  }
});

/**
 * An anchor over the first `count` events. It covers only events whose place in the order is final: a transaction
 * open anywhere on the server (another test's) holds it back for a moment. So it waits until the horizon has passed
 * them and then takes one anchor: taking anchors until one covers them all would leave shorter ones behind, and the
 * verify names the first anchor a change breaks.
 */
async function anchorCovering(ledger: Ledger, count: number) {
  await eventually(async () => {
    const { rows } = await ledger.pool.query<{ settled: string }>('SELECT count(*) AS settled FROM events WHERE transaction_id < pg_snapshot_xmin(pg_current_snapshot())');
    expect(Number(rows[0].settled)).toBe(count);
  }, 30_000);
  const anchor = await ledger.audit.takeAnchor('test');
  expect(anchor?.eventCount).toBe(count);
  return anchor!;
}

/** Three appointment streams, appended one event and a batch at a time, interleaved in the global order. */
async function seedHistory(ledger: Ledger): Promise<string[]> {
  const streams = [0, 1, 2].map(() => `appointment-${randomUUID()}`);
  for (let round = 0; round < 3; round++) {
    for (const stream of streams) await ledger.store.appendToStream(stream, round === 1 ? newEvents(2) : [newEvent()]);
  }
  return streams;
}

async function eventRow(pool: pg.Pool, streamName: string, revision: number) {
  const { rows } = await pool.query<{ event_id: string; hash: string; position: string }>(
    `SELECT event_id, hash, transaction_id::text || ':' || global_position AS position FROM events WHERE stream_name = $1 AND revision = $2`,
    [streamName, revision],
  );
  return rows[0];
}

/** What someone with database access and this code would do to hide a change: recompute every hash after it. */
async function rechainEverything(pool: pg.Pool): Promise<void> {
  const { rows } = await pool.query(
    `SELECT event_id, stream_name, revision, type, data, metadata,
            to_char(recorded_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS recorded_at
       FROM events ORDER BY stream_name, revision`,
  );
  const last = new Map<string, string>();
  for (const row of rows) {
    const hash = eventHash(
      { eventId: row.event_id, streamName: row.stream_name, type: row.type, data: row.data, metadata: row.metadata },
      { revision: Number(row.revision), recordedAt: row.recorded_at, previousHash: last.get(row.stream_name) ?? null },
    );
    last.set(row.stream_name, hash);
    await pool.query('UPDATE events SET hash = $2 WHERE event_id = $1', [row.event_id, hash]);
  }
  for (const [stream, hash] of last) await pool.query('UPDATE streams SET last_hash = $2 WHERE stream_name = $1', [stream, hash]);
}

describe('canonical JSON', () => {
  test('sorts keys by code unit at every depth, drops undefined members, prints numbers as ECMAScript does', () => {
    const value = { b: [1, undefined, { z: 1, a: -0 }], a: 'x', é: 1e21, B: 0.1, '10': true, '9': null, skipped: undefined };

    expect(canonicalJson(value)).toBe('{"10":true,"9":null,"B":0.1,"a":"x","b":[1,null,{"a":0,"z":1}],"é":1e+21}');
  });

  test('is the same before storing and after a round trip through JSON, whatever the key order', () => {
    const value = { z: { y: [3, 2, 1], x: 'a"b\\c\n\u0001' }, __proto__key: 1, emoji: '😀' };
    const reordered = JSON.parse('{"emoji":"😀","__proto__key":1,"z":{"x":"a\\"b\\\\c\\n\\u0001","y":[3,2,1]}}');

    expect(canonicalJson(reordered)).toBe(canonicalJson(value));
  });

  test('quotes strings exactly as JSON.stringify does: every code unit alone, after a letter, and in hostile mixes', () => {
    const strings = ['', 'plain', '😀', '\ud800', 'a\udfff', '\udfffx\ud800', '\u0000\u001f\u007f\u2028', 'a"b\\c', '__proto__'];
    for (let unit = 0; unit <= 0xffff; unit++) strings.push(String.fromCharCode(unit), `a${String.fromCharCode(unit)}`);
    const differing = strings.filter(
      (text) => canonicalJson(text) !== JSON.stringify(text) || canonicalJson({ [text]: text }) !== `{${JSON.stringify(text)}:${JSON.stringify(text)}}`,
    );

    expect(differing).toEqual([]);
  });
});

describe('the hash chain on PostgreSQL', () => {
  test('an intact ledger verifies, and the hash the database computed is the one the code recomputes', async () => {
    const ledger = await openLedger();
    const [stream] = await seedHistory(ledger);
    const hostile = { text: 'a\u0001"\\\n😀 é', __proto__: { polluted: true }, big: 9007199254740993, tiny: 1e-7, deep: [[[[{ k: [] }]]]] };
    const hostileEvent = newEvent('AppointmentNoted', JSON.parse(JSON.stringify(hostile)), metadata({ reason: 'ünïcödé "quoted"' }));
    await ledger.store.appendToStream(stream, [hostileEvent]);

    const report = await ledger.verify();

    expect(report).toMatchObject({ intact: true, checkedEvents: 13, problem: null, lastChecked: expect.any(String) });
    const [recorded] = (await ledger.store.readStream(stream)).slice(-1);
    const previous = await eventRow(ledger.pool, stream, recorded.revision - 1);
    const stored = await eventRow(ledger.pool, stream, recorded.revision);
    expect(stored.hash).toBe(
      eventHash(
        { eventId: recorded.id, streamName: stream, type: recorded.type, data: recorded.data, metadata: recorded.metadata },
        { revision: recorded.revision, recordedAt: recorded.recordedAt, previousHash: previous.hash },
      ),
    );
  });

  test.each([
    ['data', `UPDATE events SET data = jsonb_set(data, '{index}', '1') WHERE event_id = $1`],
    ['metadata', `UPDATE events SET metadata = jsonb_set(metadata, '{actor}', '"admin:mallory"') WHERE event_id = $1`],
    ['type', `UPDATE events SET type = 'AppointmentNotee' WHERE event_id = $1`],
    ['recording time', `UPDATE events SET recorded_at = recorded_at + interval '1 millisecond' WHERE event_id = $1`],
    ['hash', `UPDATE events SET hash = overlay(hash placing CASE WHEN hash LIKE 'f%' THEN 'e' ELSE 'f' END from 1 for 1) WHERE event_id = $1`],
  ])('changing the %s of one stored event by SQL fails the verify and names that event', async (_what, update) => {
    const ledger = await openLedger();
    const streams = await seedHistory(ledger);
    const target = await eventRow(ledger.pool, streams[1], 1);

    await ledger.pool.query(update, [target.event_id]);

    const report = await ledger.verify();
    expect(report.intact).toBe(false);
    expect(report.problem).toMatchObject({ kind: 'changed', event: { eventId: target.event_id, streamName: streams[1], revision: 1 } });
  });

  test('one changed byte inside a string is enough', async () => {
    const ledger = await openLedger();
    const streams = await seedHistory(ledger);
    const target = await eventRow(ledger.pool, streams[0], 0);

    await ledger.pool.query(`UPDATE events SET data = jsonb_set(data, '{slot}', to_jsonb(overlay(data->>'slot' placing '1' from 4 for 1))) WHERE event_id = $1`, [target.event_id]);

    expect((await ledger.verify()).problem).toMatchObject({ kind: 'changed', event: { eventId: target.event_id } });
  });

  test('deleting an event in the middle of a stream is named at the gap', async () => {
    const ledger = await openLedger();
    const streams = await seedHistory(ledger);
    const after = await eventRow(ledger.pool, streams[2], 2);

    await ledger.pool.query('DELETE FROM events WHERE stream_name = $1 AND revision = 1', [streams[2]]);

    expect((await ledger.verify()).problem).toMatchObject({ kind: 'deleted', event: { eventId: after.event_id, revision: 2 } });
  });

  test("deleting a stream's last event is detected through the stream's recorded head", async () => {
    const ledger = await openLedger();
    const streams = await seedHistory(ledger);

    await ledger.pool.query('DELETE FROM events WHERE stream_name = $1 AND revision = 3', [streams[0]]);

    const report = await ledger.verify();
    expect(report.problem).toMatchObject({ kind: 'deleted' });
    expect(report.problem?.message).toContain(streams[0]);
  });

  test('an event inserted by SQL is named: without a hash, or with a correctly computed one', async () => {
    const ledger = await openLedger();
    const streams = await seedHistory(ledger);
    const id = randomUUID();

    await ledger.pool.query(`INSERT INTO events (event_id, stream_name, revision, type, data, metadata) VALUES ($1, $2, 4, 'AppointmentCancelled', '{}', $3)`, [
      id,
      streams[1],
      JSON.stringify(metadata()),
    ]);
    expect((await ledger.verify()).problem).toMatchObject({ kind: 'changed', event: { eventId: id, revision: 4 } });

    await rechainEverything(ledger.pool);
    await ledger.pool.query(`UPDATE streams SET last_hash = (SELECT hash FROM events WHERE stream_name = $1 AND revision = 3) WHERE stream_name = $1`, [streams[1]]);
    expect((await ledger.verify()).problem).toMatchObject({ kind: 'inserted' });
  });

  test('two events of one stream swapped are named', async () => {
    const ledger = await openLedger();
    const streams = await seedHistory(ledger);
    const second = await eventRow(ledger.pool, streams[0], 1);

    await ledger.pool.query(`UPDATE events SET revision = -revision - 10 WHERE stream_name = $1 AND revision IN (1, 2)`, [streams[0]]);
    await ledger.pool.query(`UPDATE events SET revision = CASE revision WHEN -11 THEN 2 ELSE 1 END WHERE stream_name = $1 AND revision < 0`, [streams[0]]);

    // The old revision 1, now numbered 2, comes first in the global order: revision 1 is missing where it stands.
    expect((await ledger.verify()).problem).toMatchObject({ kind: 'deleted', event: { eventId: second.event_id, streamName: streams[0], revision: 2 } });
  });

  test('events of two streams swapped in the global order break the anchor taken before', async () => {
    const ledger = await openLedger();
    const streams = await seedHistory(ledger);
    const anchor = await anchorCovering(ledger, 12);
    const a = await eventRow(ledger.pool, streams[0], 0);
    const b = await eventRow(ledger.pool, streams[1], 0);

    await ledger.pool
      .query(
        `UPDATE events e SET transaction_id = o.transaction_id, global_position = o.global_position
         FROM (VALUES ($1::uuid, $2::uuid), ($2::uuid, $1::uuid)) AS swap(id, other)
         JOIN events o ON o.event_id = swap.other
        WHERE e.event_id = swap.id`,
        [a.event_id, b.event_id],
      )
      .catch(async () => {
        // The unique key forbids a direct swap: go through a free place.
        await ledger.pool.query(`UPDATE events SET global_position = -1 WHERE event_id = $1`, [a.event_id]);
        await ledger.pool.query(`UPDATE events SET global_position = $2 WHERE event_id = $1`, [b.event_id, a.position.split(':')[1]]);
        await ledger.pool.query(`UPDATE events SET global_position = $2, transaction_id = $3::xid8 WHERE event_id = $1`, [
          a.event_id,
          b.position.split(':')[1],
          b.position.split(':')[0],
        ]);
        await ledger.pool.query(`UPDATE events SET transaction_id = $2::xid8 WHERE event_id = $1`, [b.event_id, a.position.split(':')[0]]);
      });

    const report = await ledger.verify();
    expect(report.problem).toMatchObject({ kind: 'anchor-mismatch', anchor: { position: anchor!.position } });
  });

  test('a rewrite with every hash recomputed (and the anchors table too) passes alone, but not against an anchor kept elsewhere', async () => {
    const ledger = await openLedger();
    const streams = await seedHistory(ledger);
    const kept = await anchorCovering(ledger, 12);
    await ledger.store.appendToStream(streams[0], newEvents(2));
    const early = await eventRow(ledger.pool, streams[2], 0);

    await ledger.pool.query(`UPDATE events SET data = '{"slot":"2031-01-01T09:00:00.000Z"}' WHERE event_id = $1`, [early.event_id]);
    await rechainEverything(ledger.pool);
    await ledger.pool.query('DELETE FROM audit_anchors');
    await ledger.audit.takeAnchor('daily');

    expect((await ledger.verify()).intact).toBe(true);
    const report = await ledger.verify({ anchor: { position: kept.position, headHash: kept.headHash } });
    expect(report).toMatchObject({ intact: false, problem: { kind: 'anchor-mismatch', anchor: { position: kept.position, expectedHeadHash: kept.headHash } } });
  });

  test('an anchor kept elsewhere confirms an intact ledger, and a made-up one does not', async () => {
    const ledger = await openLedger();
    await seedHistory(ledger);
    const kept = await anchorCovering(ledger, 12);

    expect((await ledger.verify({ anchor: { position: kept.position, headHash: kept.headHash } })).problem).toBeNull();
    expect((await ledger.verify({ anchor: { position: kept.position, headHash: '0'.repeat(64) } })).problem?.kind).toBe('anchor-mismatch');
  });

  test('a range starts at the anchor before it and checks what lies in it', async () => {
    const ledger = await openLedger();
    const streams = await seedHistory(ledger);
    const anchor = await anchorCovering(ledger, 12);
    await seedHistory(ledger);
    const end = await ledger.store.headPosition();
    await ledger.store.appendToStream(streams[0], [newEvent()]);

    const report = await ledger.verify({ from: anchor.position, to: end });
    expect(report).toMatchObject({ intact: true, startedAfter: anchor.position, checkedEvents: 12, lastChecked: end });

    const target = await eventRow(ledger.pool, streams[0], 4);
    await ledger.pool.query(`UPDATE events SET data = '{}' WHERE event_id = $1`, [target.event_id]);
    expect((await ledger.verify({ from: anchor.position, to: end })).intact).toBe(true);
    expect((await ledger.verify({ from: anchor.position })).problem).toMatchObject({ event: { eventId: target.event_id } });
  });

  test('concurrent appenders, to shared and own streams, leave a valid chain and anchors that stay valid', async () => {
    const ledger = await openLedger();
    const shared = [0, 1, 2].map(() => `appointment-${randomUUID()}`);
    const appender = async (index: number) => {
      for (let round = 0; round < 25; round++) {
        await ledger.store.appendToStream(shared[round % shared.length], [newEvent()]);
        await ledger.store.appendToStream(`appointment-${index}-${round % 4}`, newEvents(1 + (round % 3)));
        if (round % 10 === 5) await ledger.audit.takeAnchor('concurrent');
      }
    };

    await Promise.all(Array.from({ length: 8 }, (_, index) => appender(index)));
    const total = 8 * 25 + 8 * (9 * 1 + 8 * 2 + 8 * 3);
    await anchorCovering(ledger, total);

    const report = await ledger.verify();
    expect(report).toMatchObject({ intact: true, checkedEvents: total, problem: null });
    const { rows } = await ledger.pool.query<{ count: string }>('SELECT count(*) FROM audit_anchors');
    expect(report.anchorsChecked).toBe(Number(rows[0].count));
    expect(report.anchorsChecked).toBeGreaterThanOrEqual(2);
  });

  test('an anchor leaves out an event whose transaction is still open, so its later commit does not break it', async () => {
    const ledger = await openLedger();
    await seedHistory(ledger);
    const slow = await ledger.pool.connect();
    try {
      await slow.query('BEGIN');
      await slow.query(`SELECT * FROM append_to_stream($1, NULL, $2, $3, $4, $5, $6)`, [
        `appointment-${randomUUID()}`,
        [randomUUID()],
        ['AppointmentNoted'],
        '[{}]',
        JSON.stringify([metadata()]),
        ['0'.repeat(64)],
      ]);
      await ledger.store.appendToStream(`appointment-${randomUUID()}`, [newEvent()]);
      // Also leaves out the event appended after the open transaction began: its place is not final either.
      await anchorCovering(ledger, 12);
      await slow.query('COMMIT');
    } finally {
      slow.release();
    }
    await anchorCovering(ledger, 14);

    const report = await ledger.verify();
    // The hand-made content digest ('0' x 64) does not match the event: the verify names it; the anchors before hold.
    expect(report.problem).toMatchObject({ kind: 'changed' });
    expect(report.anchorsChecked).toBe(1);
  });

  test('the upgrade migration chains a ledger recorded before the chain, exactly as appends would have', async () => {
    const ledger = await openLedger();
    await seedHistory(ledger);
    const { rows: before } = await ledger.pool.query<{ event_id: string; hash: string }>('SELECT event_id, hash FROM events ORDER BY event_id');
    // A ledger from before the chain, once the migration has added the columns.
    await ledger.pool.query('UPDATE events SET hash = NULL');
    await ledger.pool.query('UPDATE streams SET last_hash = NULL');
    expect((await ledger.verify()).intact).toBe(false);

    await migrateEventStore(ledger.pool);

    const { rows: after } = await ledger.pool.query<{ event_id: string; hash: string }>('SELECT event_id, hash FROM events ORDER BY event_id');
    expect(after).toEqual(before);
    expect((await ledger.verify()).intact).toBe(true);
    await ledger.store.appendToStream(`appointment-${randomUUID()}`, [newEvent()]);
    expect((await ledger.verify()).intact).toBe(true);
  });

  test('the migration does not chain a row inserted by hand into an already chained stream', async () => {
    const ledger = await openLedger();
    const streams = await seedHistory(ledger);
    const id = randomUUID();
    await ledger.pool.query(`INSERT INTO events (event_id, stream_name, revision, type, data, metadata) VALUES ($1, $2, 4, 'AppointmentCancelled', '{}', '{}')`, [id, streams[0]]);

    await migrateEventStore(ledger.pool);

    expect((await ledger.verify()).problem).toMatchObject({ event: { eventId: id } });
  });

  test('an empty ledger verifies and has no anchor to take', async () => {
    const ledger = await openLedger();

    expect(await ledger.verify()).toMatchObject({ intact: true, checkedEvents: 0, startedAfter: START });
    expect(await ledger.audit.takeAnchor('daily')).toBeNull();
  });
});
