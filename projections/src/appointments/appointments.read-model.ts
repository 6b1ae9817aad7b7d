import { appointmentStreamPrefix } from '#domain';
import type { RecordedEvent } from '#event-store';
import type { ReadModel, ReadModelSql } from '../read-model.js';
import { applyAppointmentEvent, type AppointmentRecord } from './appointment-record.js';
import { AppointmentRowCache } from './appointment-row.cache.js';
import { insertAppointmentRows, loadAppointmentRows, updateAppointmentRows, type ContinuedRow } from './appointment-rows.sql.js';

/**
 * `appointments`, one row per `appointment-<id>` stream. A batch takes at most three queries whatever its size: load
 * the rows it continues (unless remembered), fold in memory, then one insert of new rows and one update of the rest,
 * both guarded by version. Rows are remembered across batches (one cache per projector), once committed.
 */
export function appointmentsReadModel(cache = new AppointmentRowCache()): ReadModel {
  let folded: AppointmentRecord[] = [];
  return {
    name: 'appointments',
    streamPrefixes: [appointmentStreamPrefix],
    tables: ['appointments'],
    canHandle: (event) => event.streamName.startsWith(appointmentStreamPrefix),
    async handle(manager, events) {
      folded = await projectAppointmentEvents(manager, events, cache);
    },
    committed() {
      cache.remember(folded);
      folded = [];
    },
    rolledBack() {
      // Rows remembered from a rolled-back write could be ahead of the table.
      cache.clear();
      folded = [];
    },
  };
}

/** Folds and writes the batch; returns the rows it folded, to remember once the batch has committed. */
async function projectAppointmentEvents(manager: ReadModelSql, events: readonly RecordedEvent[], cache: AppointmentRowCache): Promise<AppointmentRecord[]> {
  const byStream = groupByStream(events);
  const current = await currentRows(manager, byStream, cache);
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
  return [...started, ...continued.map(({ row }) => row)];
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
 * The rows the batch continues: remembered, or else loaded in one query (rows read from the table are committed, so
 * they are remembered at once). A stream whose batch starts at revision 0 is folded from scratch and needs no row.
 */
async function currentRows(manager: ReadModelSql, byStream: Map<string, RecordedEvent[]>, cache: AppointmentRowCache): Promise<Map<string, AppointmentRecord>> {
  const current = new Map<string, AppointmentRecord>();
  const missing: string[] = [];
  for (const [appointmentId, streamEvents] of byStream) {
    const remembered = cache.get(appointmentId);
    if (remembered) current.set(appointmentId, remembered);
    else if (streamEvents[0].revision > 0) missing.push(appointmentId);
  }
  const loaded = missing.length > 0 ? await loadAppointmentRows(manager, missing) : [];
  cache.remember(loaded);
  for (const row of loaded) current.set(row.appointment_id, row);
  return current;
}
