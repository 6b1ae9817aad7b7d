import { createAppointmentsTable } from '../../catch-up/appointments-table.js';
import { catchUpFigure, type CatchUpFigure, type CatchUpSettings } from '../../catch-up/catch-up-figure.js';
import { settleDatabase } from '../../catch-up/settle-database.js';
import { catchUpHistory } from '../../catch-up/seed-chunks.js';
import { COPY_EVENTS_TABLE_SQL, copyEvents, StreamRevisions } from './copy-events-table.js';
import { openBenchPool } from '../bench-pool.js';
import type { CpuMeter } from '../../cpu-meter.js';

/**
 * The ceiling for building the same rows: no subscriber at all, one set-based INSERT … SELECT that folds every
 * stream in SQL (last start/end, last staff, cancelled or not, revision as version) straight into the read model.
 */
const FOLD_INTO_APPOINTMENTS = `
INSERT INTO appointments (appointment_id, status, starts_at, ends_at, staff_id, service_id, customer, notes,
                          cancellation_reason, version, created_at, updated_at)
SELECT substr(stream_name, length('appointment-') + 1),
       CASE WHEN bool_or(type = 'AppointmentCancelled') THEN 'cancelled' ELSE 'scheduled' END,
       ((array_agg(data ->> 'startsAt' ORDER BY revision DESC) FILTER (WHERE data ? 'startsAt'))[1])::timestamptz,
       ((array_agg(data ->> 'endsAt' ORDER BY revision DESC) FILTER (WHERE data ? 'endsAt'))[1])::timestamptz,
       (array_agg(data ->> 'staffId' ORDER BY revision DESC) FILTER (WHERE data ? 'staffId'))[1],
       (array_agg(data ->> 'serviceId') FILTER (WHERE type = 'AppointmentScheduled'))[1],
       (array_agg(data -> 'customer') FILTER (WHERE type = 'AppointmentScheduled'))[1],
       (array_agg(data ->> 'notes') FILTER (WHERE type = 'AppointmentScheduled'))[1],
       (array_agg(data ->> 'reason') FILTER (WHERE type = 'AppointmentCancelled'))[1],
       max(revision), min(recorded_at), max(recorded_at)
  FROM copy_events
 GROUP BY stream_name
HAVING bool_or(type = 'AppointmentScheduled')`;

export async function measureCopyCatchUp(url: string, settings: CatchUpSettings, meter: CpuMeter): Promise<CatchUpFigure> {
  const pool = openBenchPool(url, 2);
  try {
    await pool.query(COPY_EVENTS_TABLE_SQL);
    await createAppointmentsTable(url);
    const seedStarted = performance.now();
    const revisions = new StreamRevisions();
    const client = await pool.connect();
    try {
      for (const chunk of catchUpHistory(settings.seed, settings.events, settings.seedChunk).chunks) await copyEvents(client, chunk, revisions);
    } finally {
      client.release();
    }
    const seedMs = performance.now() - seedStarted;
    await settleDatabase(pool);

    const stopMeter = meter.start();
    const started = performance.now();
    await pool.query(FOLD_INTO_APPOINTMENTS);
    const elapsedMs = performance.now() - started;
    const cpu = stopMeter();
    const { rows } = await pool.query<{ rows: number }>('SELECT count(*)::int AS rows FROM appointments');
    return catchUpFigure(settings.events, elapsedMs, rows[0].rows, seedMs, cpu);
  } finally {
    await pool.end();
  }
}
