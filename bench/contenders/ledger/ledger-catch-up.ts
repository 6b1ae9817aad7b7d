import type pg from 'pg';
import { canonicalJson, digestOfCanonical, type SubscriptionLogger } from '#event-store';
import { PostgresEventStore } from '#event-store/postgres';
import { Projector, openReadModel } from '#projections';
import { catchUpFigure, type CatchUpFigure, type CatchUpSettings } from '../../catch-up/catch-up-figure.js';
import { settleDatabase } from '../../catch-up/settle-database.js';
import { catchUpHistory, seedColumns } from '../../catch-up/seed-chunks.js';
import type { BenchEvent } from '../../workload/bench-event.js';
import { toNewEvent } from './ledger-appender.js';
import { openBenchPool } from '../bench-pool.js';
import type { CpuMeter } from '../../cpu-meter.js';

/**
 * Seeds through the store's own append function, one call per event, many calls per transaction (fast to set up;
 * the projector reads the same rows either way), each with its content digest for the hash chain as appendToStream
 * computes it. The last event goes through appendToStream: its position is the head.
 */
const SEED_STATEMENT = `
SELECT count(*)::int AS appended
  FROM unnest($1::text[], $2::uuid[], $3::text[], $6::text[]) WITH ORDINALITY AS e(stream_name, event_id, type, content, n)
 CROSS JOIN LATERAL append_to_stream(e.stream_name, NULL, ARRAY[e.event_id], ARRAY[e.type],
       jsonb_build_array($4::jsonb -> (e.n::int - 1)), jsonb_build_array($5::jsonb -> (e.n::int - 1)), ARRAY[e.content])`;

const quietLogger: SubscriptionLogger = { log: () => undefined, error: (message, ...context) => console.error(message, ...context) };

/** The real Projector, from position 0 to the head, into the real read models (same database, as the app runs it). */
export async function measureLedgerCatchUp(url: string, settings: CatchUpSettings, meter: CpuMeter): Promise<CatchUpFigure> {
  const pool = openBenchPool(url, 10);
  const store = await PostgresEventStore.create(pool);
  try {
    const seedStarted = performance.now();
    const history = catchUpHistory(settings.seed, settings.events, settings.seedChunk);
    let head = '';
    for (const chunk of history.chunks) head = await seedChunk(pool, store, chunk);
    const seedMs = performance.now() - seedStarted;
    await settleDatabase(pool);

    const readModel = await openReadModel(url);
    try {
      const projector = new Projector(store, readModel, { name: 'bench-catch-up', logger: quietLogger });
      const stopMeter = meter.start();
      const started = performance.now();
      await projector.start();
      await projector.waitUntilProcessed(head, 600_000);
      const elapsedMs = performance.now() - started;
      const cpu = stopMeter();
      await projector.stop();
      const [{ rows }] = await readModel.query('SELECT count(*)::int AS rows FROM appointments');
      return catchUpFigure(settings.events, elapsedMs, rows, seedMs, cpu);
    } finally {
      await readModel.destroy();
    }
  } finally {
    await store.close();
    await pool.end();
  }
}

/** Returns the position of the chunk's last event. */
async function seedChunk(pool: pg.Pool, store: PostgresEventStore, chunk: BenchEvent[]): Promise<string> {
  const lastEvent = chunk[chunk.length - 1];
  const bulk = chunk.slice(0, -1);
  const contents = bulk.map((event) =>
    digestOfCanonical({ eventId: event.id, streamName: event.streamName, type: event.type }, canonicalJson(event.data ?? null), canonicalJson(event.metadata)),
  );
  const { rows } = await pool.query<{ appended: number }>(SEED_STATEMENT, [...seedColumns(bulk), contents]);
  if (rows[0].appended !== bulk.length) throw new Error(`Seeded ${rows[0].appended} of ${bulk.length} events`);
  const result = await store.appendToStream(lastEvent.streamName, [toNewEvent(lastEvent)]);
  return result.position;
}
