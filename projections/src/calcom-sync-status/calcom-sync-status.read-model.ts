import { type CalcomSyncEvent, type CalcomSyncState, calcomSyncStreamPrefix, evolveCalcomSync, initialCalcomSyncState } from '#domain';
import type { RecordedEvent } from '#event-store';
import type { ReadModel, ReadModelSql } from '../read-model.js';
import { type ReadModelTable, upsertRows } from '../read-model-table.js';

/** A status row as the fold sees it: snake_case, the columns of `calcom_sync_status`. */
interface SyncStatusRecord {
  appointment_id: string;
  booking_uid: string | null;
  booking_uids: string[];
  synced_version: number;
  in_flight: boolean;
  retry_requested: boolean;
  has_conflict: boolean;
  permanent_failure: boolean;
  failed_at_version: number | null;
  last_synced_at: string | null;
  attempts: number;
  last_error: CalcomSyncState['lastError'];
  next_retry_at: string | null;
  sync_revision: number;
  state: CalcomSyncState;
  updated_at: string;
}

interface BookingUidRecord {
  uid: string;
  appointment_id: string;
  is_current: boolean;
}

const statusTable: ReadModelTable<SyncStatusRecord> = {
  name: 'calcom_sync_status',
  columns: {
    appointment_id: 'text',
    booking_uid: 'text',
    booking_uids: 'jsonb',
    synced_version: 'integer',
    in_flight: 'boolean',
    retry_requested: 'boolean',
    has_conflict: 'boolean',
    permanent_failure: 'boolean',
    failed_at_version: 'integer',
    last_synced_at: 'timestamptz',
    attempts: 'integer',
    last_error: 'jsonb',
    next_retry_at: 'timestamptz',
    sync_revision: 'integer',
    state: 'jsonb',
    updated_at: 'timestamptz',
  },
  key: 'appointment_id',
  guard: 'sync_revision',
};

/** The uid chain index: a uid always belongs to the appointment whose chain has it last. */
const bookingUidsTable: ReadModelTable<BookingUidRecord> = {
  name: 'calcom_booking_uids',
  columns: { uid: 'text', appointment_id: 'text', is_current: 'boolean' },
  key: 'uid',
};

/**
 * `calcom_sync_status` and `calcom_booking_uids`, from `calcomsync-` events, with at most three round trips per batch
 * whatever its size: load the rows the batch touches, fold in memory with the domain's own fold, upsert the rows and
 * the uid chain index in bulk. Appointment events write nothing here: the status is derived when read, against
 * `appointments.version` (see `calcom-sync-status.sql.ts`), so a ledger change makes the sync pending without a
 * write of its own.
 */
export const calcomSyncStatusReadModel: ReadModel = {
  name: 'calcom-sync-status',
  streamPrefixes: [calcomSyncStreamPrefix],
  tables: ['calcom_sync_status', 'calcom_booking_uids'],
  canHandle: (event) => event.streamName.startsWith(calcomSyncStreamPrefix),
  handle: projectCalcomSyncStatus,
};

async function projectCalcomSyncStatus(manager: ReadModelSql, events: readonly RecordedEvent[]): Promise<void> {
  const byAppointment = groupByAppointment(events);
  const current = await loadRows(manager, [...byAppointment.keys()]);
  const changed: SyncStatusRecord[] = [];
  const chainsChanged: SyncStatusRecord[] = [];
  for (const [appointmentId, appointmentEvents] of byAppointment) {
    const before = current.get(appointmentId) ?? emptyRecord(appointmentId);
    const after = appointmentEvents.reduce(applyEvent, before);
    if (after === before) continue;
    changed.push(after);
    if (after.sync_revision !== before.sync_revision) chainsChanged.push(after);
  }
  await upsertRows(manager, statusTable, changed);
  await upsertUids(manager, chainsChanged);
}

function applyEvent(row: SyncStatusRecord, recorded: RecordedEvent): SyncStatusRecord {
  if (recorded.revision <= row.sync_revision) return row;
  const state = evolveCalcomSync(row.state, { type: recorded.type, data: recorded.data } as CalcomSyncEvent, recorded.recordedAt);
  return withDerivedColumns({ ...row, state, sync_revision: recorded.revision, updated_at: recorded.recordedAt });
}

function withDerivedColumns(row: SyncStatusRecord): SyncStatusRecord {
  const { state } = row;
  return {
    ...row,
    booking_uid: state.booking?.uid ?? null,
    booking_uids: state.chain,
    synced_version: state.syncedVersion,
    in_flight: state.inFlight !== null,
    retry_requested: state.retryRequested === true,
    has_conflict: state.openConflict !== null,
    permanent_failure: state.lastError?.permanent === true,
    failed_at_version: state.lastError?.ledgerVersion ?? null,
    last_synced_at: state.lastSyncedAt,
    attempts: state.attempts,
    last_error: state.lastError,
    next_retry_at: state.nextRetryAt,
  };
}

function emptyRecord(appointmentId: string): SyncStatusRecord {
  return withDerivedColumns({
    appointment_id: appointmentId,
    booking_uid: null,
    booking_uids: [],
    synced_version: 0,
    in_flight: false,
    retry_requested: false,
    has_conflict: false,
    permanent_failure: false,
    failed_at_version: null,
    last_synced_at: null,
    attempts: 0,
    last_error: null,
    next_retry_at: null,
    sync_revision: -1,
    state: initialCalcomSyncState(),
    updated_at: new Date(0).toISOString(),
  });
}

function groupByAppointment(events: readonly RecordedEvent[]): Map<string, RecordedEvent[]> {
  const byAppointment = new Map<string, RecordedEvent[]>();
  for (const event of events) {
    const appointmentId = event.streamName.slice(calcomSyncStreamPrefix.length);
    const appointmentEvents = byAppointment.get(appointmentId);
    if (appointmentEvents) appointmentEvents.push(event);
    else byAppointment.set(appointmentId, [event]);
  }
  return byAppointment;
}

async function loadRows(manager: ReadModelSql, appointmentIds: string[]): Promise<Map<string, SyncStatusRecord>> {
  const rows: SyncStatusRecord[] = await manager.query(
    `SELECT appointment_id, booking_uid, booking_uids, synced_version, in_flight, retry_requested, has_conflict,
            permanent_failure, failed_at_version, to_json(last_synced_at) #>> '{}' AS last_synced_at, attempts, last_error,
            to_json(next_retry_at) #>> '{}' AS next_retry_at, sync_revision, state,
            to_json(updated_at) #>> '{}' AS updated_at
       FROM calcom_sync_status WHERE appointment_id = ANY($1::text[])`,
    [appointmentIds],
  );
  return new Map(rows.map((row) => [row.appointment_id, row]));
}

/** Every uid of each changed chain, with the current one flagged. */
async function upsertUids(manager: ReadModelSql, rows: readonly SyncStatusRecord[]): Promise<void> {
  // One entry per uid: a statement may not update the same row twice.
  const byUid = new Map<string, BookingUidRecord>();
  for (const { appointment_id, state } of rows) {
    for (const uid of state.chain) byUid.set(uid, { uid, appointment_id, is_current: uid === state.booking?.uid });
  }
  await upsertRows(manager, bookingUidsTable, [...byUid.values()]);
}
