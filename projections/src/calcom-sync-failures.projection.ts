import type { EntityManager } from 'typeorm';
import { calcomSyncStreamPrefix, type CalcomOperationFailed } from '../../libs/domain/src/index.js';
import type { RecordedEvent } from '../../libs/event-store/src/event-store.port.js';

export const isCalcomSyncFailure = (event: RecordedEvent): boolean =>
  event.type === 'CalcomOperationFailed' && event.streamName.startsWith(calcomSyncStreamPrefix);

/** One row per failed Cal.com call, keyed by its place in the stream, so a replay adds nothing. */
export async function projectCalcomSyncFailures(manager: EntityManager, events: readonly RecordedEvent[]): Promise<void> {
  const rows = events.map((recorded) => {
    const { data } = recorded as RecordedEvent<CalcomOperationFailed>;
    return {
      stream_name: recorded.streamName,
      revision: recorded.revision,
      appointment_id: data.appointmentId,
      code: data.error.code,
      permanent: data.permanent,
      recorded_at: recorded.recordedAt,
    };
  });
  await manager.query(
    `INSERT INTO calcom_sync_failures (stream_name, revision, appointment_id, code, permanent, recorded_at)
     SELECT * FROM json_to_recordset($1::json) AS r(
            stream_name text, revision integer, appointment_id text, code text, permanent boolean, recorded_at timestamptz)
     ON CONFLICT DO NOTHING`,
    [JSON.stringify(rows)],
  );
}
