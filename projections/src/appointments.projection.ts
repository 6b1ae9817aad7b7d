import type { EntityManager } from 'typeorm';
import { appointmentStreamPrefix } from '../../libs/domain/src/index.js';
import type { RecordedEvent } from '../../libs/event-store/src/event-store.port.js';
import { applyAppointmentEvent, type AppointmentRecord } from './appointment-record.js';
import type { AppointmentRowCache } from './appointment-row.cache.js';
import { insertAppointmentRows, loadAppointmentRows, updateAppointmentRows, type ContinuedRow } from './appointment-rows.sql.js';

export interface AppointmentBatchResult {
  /** Rows read from the table: committed, so safe to remember at once. */
  loaded: AppointmentRecord[];
  /** Rows folded by this batch: remember them once the batch's transaction has committed. */
  folded: AppointmentRecord[];
}

/**
 * Applies one batch of appointment-stream events in at most three queries whatever the batch size: load the rows
 * the batch continues (unless remembered), fold in memory, then one insert of new rows and one update of the rest,
 * both guarded by version.
 */
export async function projectAppointmentEvents(
  manager: EntityManager,
  events: readonly RecordedEvent[],
  cache: AppointmentRowCache,
): Promise<AppointmentBatchResult> {
  const byStream = groupByStream(events);
  const { current, loaded } = await currentRows(manager, byStream, cache);
  const started: AppointmentRecord[] = [];
  const continued: ContinuedRow[] = [];
  for (const [appointmentId, streamEvents] of byStream) {
    const before = current.get(appointmentId) ?? null;
    const after = streamEvents.reduce(applyAppointmentEvent, before);
    if (!after || after === before) continue;
    if (before) continued.push({ row: after, customerChanged: after.customer !== before.customer });
    else started.push(after);
  }
  if (started.length > 0) await insertAppointmentRows(manager, started);
  if (continued.length > 0) await updateAppointmentRows(manager, continued);
  return { loaded, folded: [...started, ...continued.map(({ row }) => row)] };
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

/**
 * The rows the batch continues: remembered, or else loaded in one query. A stream whose batch starts at
 * revision 0 is folded from scratch and needs no row.
 */
async function currentRows(
  manager: EntityManager,
  byStream: Map<string, RecordedEvent[]>,
  cache: AppointmentRowCache,
): Promise<{ current: Map<string, AppointmentRecord>; loaded: AppointmentRecord[] }> {
  const current = new Map<string, AppointmentRecord>();
  const missing: string[] = [];
  for (const [appointmentId, streamEvents] of byStream) {
    const remembered = cache.get(appointmentId);
    if (remembered) current.set(appointmentId, remembered);
    else if (streamEvents[0].revision > 0) missing.push(appointmentId);
  }
  const loaded = missing.length > 0 ? await loadAppointmentRows(manager, missing) : [];
  for (const row of loaded) current.set(row.appointment_id, row);
  return { current, loaded };
}
