import { getPostgreSQLEventStore } from '@event-driven-io/emmett-postgresql';
import { createAppointmentsTable } from '../../catch-up/appointments-table.js';
import { catchUpFigure, type CatchUpFigure, type CatchUpSettings } from '../../catch-up/catch-up-figure.js';
import { settleDatabase } from '../../catch-up/settle-database.js';
import { catchUpHistory, seedColumns } from '../../catch-up/seed-chunks.js';
import { emmettAppointmentsProjection } from './emmett-appointments.projection.js';
import { openBenchPool } from '../bench-pool.js';
import type { CpuMeter } from '../../cpu-meter.js';

/**
 * Seeds through Emmett's own append function (emt_append_to_stream, as its appendToStream calls it), one call per
 * event, many calls per transaction: fast to set up, and its consumer reads the same rows either way.
 */
const SEED_STATEMENT = `
SELECT count(*) FILTER (WHERE appended.success)::int AS appended
  FROM unnest($1::text[], $2::text[], $3::text[]) WITH ORDINALITY AS e(stream_name, message_id, type, n)
 CROSS JOIN LATERAL emt_append_to_stream(ARRAY[e.message_id], ARRAY[$4::jsonb -> (e.n::int - 1)],
       ARRAY[$5::jsonb -> (e.n::int - 1)], ARRAY['1'], ARRAY[e.type], ARRAY['E'], e.stream_name, 'appointment',
       NULL, 'emt:default') AS appended`;

/** Batch size and pause between batches given to Emmett's consumer: its defaults are 100 events and 50 ms. */
export const EMMETT_CONSUMER_PULLING = { batchSize: 1000, pullingFrequencyInMs: 0 };

/**
 * Emmett's own catch-up mechanism: a consumer with a projector for the appointments projection, from the beginning
 * until no events are left (`stopWhen.noMessagesLeft`).
 */
export async function measureEmmettCatchUp(url: string, settings: CatchUpSettings, meter: CpuMeter): Promise<CatchUpFigure> {
  const store = getPostgreSQLEventStore(url);
  const pool = openBenchPool(url, 2);
  try {
    await store.schema.migrate();
    await createAppointmentsTable(url);
    const seedStarted = performance.now();
    for (const chunk of catchUpHistory(settings.seed, settings.events, settings.seedChunk).chunks) {
      const { rows } = await pool.query<{ appended: number }>(SEED_STATEMENT, seedColumns(chunk));
      if (rows[0].appended !== chunk.length) throw new Error(`Seeded ${rows[0].appended} of ${chunk.length} events`);
    }
    const seedMs = performance.now() - seedStarted;
    await settleDatabase(pool);

    const consumer = store.consumer({ stopWhen: { noMessagesLeft: true }, pulling: EMMETT_CONSUMER_PULLING });
    consumer.projector({ projection: emmettAppointmentsProjection });
    const stopMeter = meter.start();
    const started = performance.now();
    await consumer.start();
    const elapsedMs = performance.now() - started;
    const cpu = stopMeter();
    await consumer.stop();
    const { rows } = await pool.query<{ rows: number }>('SELECT count(*)::int AS rows FROM appointments');
    return catchUpFigure(settings.events, elapsedMs, rows[0].rows, seedMs, cpu);
  } finally {
    await pool.end();
    await store.close();
  }
}
