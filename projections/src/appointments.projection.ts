import type { EntityManager } from 'typeorm';
import { appointmentStreamPrefix } from '../../libs/domain/src/index.js';
import type { RecordedEvent } from '../../libs/event-store/src/event-store.port.js';
import { applyAppointmentEvent, type AppointmentRecord } from './appointment-record.js';
import type { AppointmentRowCache } from './appointment-row.cache.js';

export interface AppointmentBatchResult {
  /** Rows read from the table: committed, so safe to remember at once. */
  loaded: AppointmentRecord[];
  /** Rows folded by this batch: remember them once the batch's transaction has committed. */
  folded: AppointmentRecord[];
}

/**
 * Applies one batch of appointment-stream events in at most two queries whatever the batch size: load the rows
 * the batch continues (unless remembered), fold in memory, write back in one upsert guarded by version.
 */
export async function projectAppointmentEvents(
  manager: EntityManager,
  events: readonly RecordedEvent[],
  cache: AppointmentRowCache,
): Promise<AppointmentBatchResult> {
  const byStream = groupByStream(events);
  const loaded = await loadContinuedRows(manager, byStream, cache);
  const folded: AppointmentRecord[] = [];
  for (const [appointmentId, streamEvents] of byStream) {
    const before = cache.get(appointmentId) ?? loaded.get(appointmentId) ?? null;
    const after = streamEvents.reduce(applyAppointmentEvent, before);
    if (after && after !== before) folded.push(after);
  }
  if (folded.length > 0) await upsertAppointments(manager, folded);
  return { loaded: [...loaded.values()], folded };
}

function groupByStream(events: readonly RecordedEvent[]): Map<string, RecordedEvent[]> {
  const byStream = new Map<string, RecordedEvent[]>();
  for (const event of events) {
    const appointmentId = event.streamName.slice(appointmentStreamPrefix.length);
    const streamEvents = byStream.get(appointmentId);
    if (streamEvents) streamEvents.push(event);
    else byStream.set(appointmentId, [event]);
  }
  return byStream;
}

/** A stream whose batch starts at revision 0 is folded from scratch; only continued streams need their row. */
async function loadContinuedRows(
  manager: EntityManager,
  byStream: Map<string, RecordedEvent[]>,
  cache: AppointmentRowCache,
): Promise<Map<string, AppointmentRecord>> {
  const missing = [...byStream]
    .filter(([appointmentId, streamEvents]) => streamEvents[0].revision > 0 && !cache.get(appointmentId))
    .map(([appointmentId]) => appointmentId);
  if (missing.length === 0) return new Map();
  // Times travel as PostgreSQL's own ISO text, so microseconds survive the round trip.
  const rows: AppointmentRecord[] = await manager.query(
    `SELECT appointment_id, status, to_json(starts_at) #>> '{}' AS starts_at, to_json(ends_at) #>> '{}' AS ends_at,
            staff_id, service_id, customer, notes, cancellation_reason, version,
            to_json(created_at) #>> '{}' AS created_at, to_json(updated_at) #>> '{}' AS updated_at
       FROM appointments WHERE appointment_id = ANY($1::text[])`,
    [missing],
  );
  return new Map(rows.map((row) => [row.appointment_id, row]));
}

async function upsertAppointments(manager: EntityManager, rows: readonly AppointmentRecord[]): Promise<void> {
  await manager.query(
    `INSERT INTO appointments AS a
            (appointment_id, status, starts_at, ends_at, staff_id, service_id, customer, notes, cancellation_reason, version,
             created_at, updated_at)
     SELECT appointment_id, status, starts_at, ends_at, staff_id, service_id, customer, notes, cancellation_reason, version,
            created_at, updated_at
       FROM json_to_recordset($1::json) AS r(
              appointment_id text, status text, starts_at timestamptz, ends_at timestamptz, staff_id text,
              service_id text, customer jsonb, notes text, cancellation_reason text, version integer,
              created_at timestamptz, updated_at timestamptz)
     ON CONFLICT (appointment_id) DO UPDATE SET
            status = EXCLUDED.status, starts_at = EXCLUDED.starts_at, ends_at = EXCLUDED.ends_at,
            staff_id = EXCLUDED.staff_id, service_id = EXCLUDED.service_id, customer = EXCLUDED.customer,
            notes = EXCLUDED.notes, cancellation_reason = EXCLUDED.cancellation_reason,
            version = EXCLUDED.version, updated_at = EXCLUDED.updated_at
      WHERE a.version < EXCLUDED.version`,
    [JSON.stringify(rows)],
  );
}
