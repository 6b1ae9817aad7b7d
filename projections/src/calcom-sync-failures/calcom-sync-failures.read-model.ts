import { calcomSyncStreamPrefix, type CalcomOperationFailed } from '#domain';
import type { RecordedEvent } from '#event-store';
import type { ReadModel } from '../read-model.js';
import { insertRows, type ReadModelTable } from '../read-model-table.js';

interface SyncFailureRecord {
  stream_name: string;
  revision: number;
  appointment_id: string;
  code: string;
  permanent: boolean;
  recorded_at: string;
}

/** Keyed by the event's place in its stream (stream_name, revision), so a replay adds nothing. */
const failuresTable: ReadModelTable<SyncFailureRecord> = {
  name: 'calcom_sync_failures',
  columns: { stream_name: 'text', revision: 'integer', appointment_id: 'text', code: 'text', permanent: 'boolean', recorded_at: 'timestamptz' },
};

/** `calcom_sync_failures`: one row per failed Cal.com call, what `GET /sync/status` counts over the last hour. */
export const calcomSyncFailuresReadModel: ReadModel = {
  name: 'calcom-sync-failures',
  streamPrefixes: [calcomSyncStreamPrefix],
  tables: ['calcom_sync_failures'],
  canHandle: (event) => event.type === 'CalcomOperationFailed' && event.streamName.startsWith(calcomSyncStreamPrefix),
  async handle(manager, events) {
    const rows = (events as readonly RecordedEvent<CalcomOperationFailed>[]).map(({ streamName, revision, data, recordedAt }) => ({
      stream_name: streamName,
      revision,
      appointment_id: data.appointmentId,
      code: data.error.code,
      permanent: data.permanent,
      recorded_at: recordedAt,
    }));
    await insertRows(manager, failuresTable, rows);
  },
};
