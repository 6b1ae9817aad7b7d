import type { EntityManager } from 'typeorm';
import type { AppointmentEvent, Customer } from '../../libs/domain/src/index.js';
import { appointmentStreamPrefix } from '../../libs/domain/src/index.js';
import type { RecordedEvent } from '../../libs/event-store/src/event-store.port.js';

/** An appointment row as the fold sees it: snake_case, so it goes to `json_to_recordset` as it is. */
interface AppointmentRecord {
  appointment_id: string;
  status: string;
  starts_at: string;
  ends_at: string;
  staff_id: string;
  service_id: string;
  customer: Customer;
  notes: string | null;
  cancellation_reason: string | null;
  version: number;
  created_at: string;
  updated_at: string;
}

/**
 * Applies one batch of appointment-stream events with three round trips whatever the batch size:
 * load the rows the batch continues, fold in memory, write back in one upsert guarded by version.
 */
export async function projectAppointmentEvents(manager: EntityManager, events: readonly RecordedEvent[]): Promise<void> {
  const byStream = groupByStream(events);
  const current = await loadContinuedRows(manager, byStream);
  const changed: AppointmentRecord[] = [];
  for (const [appointmentId, streamEvents] of byStream) {
    const before = current.get(appointmentId) ?? null;
    const after = streamEvents.reduce(applyAppointmentEvent, before);
    if (after && after !== before) changed.push(after);
  }
  if (changed.length > 0) await upsertAppointments(manager, changed);
}

/**
 * Events at or below the row's version were applied before (a replay) and change nothing.
 * Event types this projection does not know still move `version`, because it is the stream revision the API
 * hands out as the ETag.
 */
function applyAppointmentEvent(row: AppointmentRecord | null, recorded: RecordedEvent): AppointmentRecord | null {
  if (row && recorded.revision <= row.version) return row;
  const event = { type: recorded.type, data: recorded.data } as AppointmentEvent;
  const moved = { version: recorded.revision, updated_at: recorded.recordedAt };
  if (event.type === 'AppointmentScheduled') {
    const { data } = event;
    return {
      appointment_id: data.appointmentId,
      status: 'scheduled',
      starts_at: data.startsAt,
      ends_at: data.endsAt,
      staff_id: data.staffId,
      service_id: data.serviceId,
      customer: data.customer,
      notes: data.notes,
      cancellation_reason: null,
      created_at: recorded.recordedAt,
      ...moved,
    };
  }
  // Nothing to change before the appointment exists; the domain's own fold ignores such events too.
  if (!row) return null;
  switch (event.type) {
    case 'AppointmentRescheduled':
      return { ...row, ...moved, starts_at: event.data.startsAt, ends_at: event.data.endsAt };
    case 'AppointmentCancelled':
      return { ...row, ...moved, status: 'cancelled', cancellation_reason: event.data.reason };
    case 'StaffReassigned':
      return { ...row, ...moved, staff_id: event.data.staffId };
    case 'ServiceChanged':
      return { ...row, ...moved, service_id: event.data.serviceId, ends_at: event.data.endsAt };
    default:
      return { ...row, ...moved };
  }
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
): Promise<Map<string, AppointmentRecord>> {
  const continued = [...byStream].filter(([, streamEvents]) => streamEvents[0].revision > 0).map(([id]) => id);
  if (continued.length === 0) return new Map();
  // Times travel as PostgreSQL's own ISO text, so microseconds survive the round trip.
  const rows: AppointmentRecord[] = await manager.query(
    `SELECT appointment_id, status, to_json(starts_at) #>> '{}' AS starts_at, to_json(ends_at) #>> '{}' AS ends_at,
            staff_id, service_id, customer, notes, cancellation_reason, version,
            to_json(created_at) #>> '{}' AS created_at, to_json(updated_at) #>> '{}' AS updated_at
       FROM appointments WHERE appointment_id = ANY($1::text[])`,
    [continued],
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
