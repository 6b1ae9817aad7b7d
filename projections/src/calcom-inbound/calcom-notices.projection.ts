import type { CalcomOperationFailed, CalcomWebhookApplied, ConflictSide, DriftHealBlocked, SyncConflictDetected, SyncConflictResolved } from '#domain';
import type { RecordedEvent } from '#event-store';
import { insertRows, type ReadModelTable, updateRows, upsertRows } from '../read-model-table.js';
import type { NotificationKind } from './calcom-inbound.entities.js';
import type { ReadModelSql } from '../read-model.js';

type Detected = RecordedEvent<SyncConflictDetected>;
type Resolved = RecordedEvent<SyncConflictResolved>;

interface NotificationRecord {
  notification_id: string;
  kind: NotificationKind;
  appointment_id: string | null;
  message: string;
  details: Record<string, unknown>;
  created_at: string;
}

interface ConflictRecord {
  conflict_id: string;
  appointment_id: string;
  status: 'open' | 'resolved';
  summary: string;
  ledger: ConflictSide;
  calcom: ConflictSide;
  fact_id: string | null;
  keep: 'ledger' | 'calcom' | null;
  decided_by: 'person' | 'policy' | null;
  detected_at: string;
  resolved_at: string | null;
  /** The `calcomsync-` revision of the last event applied to the row. */
  sync_revision: number;
}

/** Keyed by the id of the event that raised it. */
const notificationsTable: ReadModelTable<NotificationRecord> = {
  name: 'notifications',
  columns: { notification_id: 'text', kind: 'text', appointment_id: 'text', message: 'text', details: 'jsonb', created_at: 'timestamptz' },
};

const conflictsTable: ReadModelTable<ConflictRecord> = {
  name: 'conflicts',
  columns: {
    conflict_id: 'text',
    appointment_id: 'text',
    status: 'text',
    summary: 'text',
    ledger: 'jsonb',
    calcom: 'jsonb',
    fact_id: 'text',
    keep: 'text',
    decided_by: 'text',
    detected_at: 'timestamptz',
    resolved_at: 'timestamptz',
    sync_revision: 'integer',
  },
  key: 'conflict_id',
  guard: 'sync_revision',
};

/** The events a person must hear about, and the conflicts they may have to settle. */
export async function projectNotices(manager: ReadModelSql, events: readonly RecordedEvent[]): Promise<void> {
  const notifications: NotificationRecord[] = [];
  const detected: Detected[] = [];
  const resolved: Resolved[] = [];
  for (const event of events) {
    const notification = notificationOf(event);
    if (notification) notifications.push(notification);
    if (event.type === 'SyncConflictDetected') detected.push(event as Detected);
    else if (event.type === 'SyncConflictResolved') resolved.push(event as Resolved);
  }
  await insertRows(manager, notificationsTable, notifications);
  // A conflict updated while open (news during the conflict) keeps its id and status; a later revision overwrites it.
  await upsertRows(
    manager,
    conflictsTable,
    detected.map(({ data, revision, recordedAt }) => ({
      conflict_id: data.conflictId,
      appointment_id: data.appointmentId,
      status: 'open' as const,
      summary: data.summary,
      ledger: data.ledger,
      calcom: data.calcom,
      fact_id: data.factId,
      detected_at: recordedAt,
      sync_revision: revision,
    })),
    ['summary', 'ledger', 'calcom', 'fact_id', 'sync_revision'],
  );
  await updateRows(
    manager,
    conflictsTable,
    resolved.map(({ data, revision, recordedAt }) => ({
      conflict_id: data.conflictId,
      status: 'resolved' as const,
      keep: data.keep,
      decided_by: data.decidedBy,
      resolved_at: recordedAt,
      sync_revision: revision,
    })),
  );
}

/** Also what the notifier POSTs to NOTIFY_WEBHOOK_URL, so the list and the deliveries say the same thing. */
export function notificationOf(event: RecordedEvent): NotificationRecord | null {
  const base = { notification_id: event.id, created_at: event.recordedAt };
  if (event.type === 'CalcomOperationFailed') {
    const data = event.data as CalcomOperationFailed['data'];
    if (!data.permanent) return null;
    return {
      ...base,
      kind: 'sync_failed',
      appointment_id: data.appointmentId,
      message: `Cal.com refused the ${data.operation}: ${data.error.message}`,
      details: { operation: data.operation, operationId: data.operationId, error: data.error },
    };
  }
  if (event.type === 'SyncConflictDetected') {
    const data = event.data as SyncConflictDetected['data'];
    return {
      ...base,
      kind: 'conflict',
      appointment_id: data.appointmentId,
      message: data.summary,
      details: { conflictId: data.conflictId, ledger: data.ledger, calcom: data.calcom, factId: data.factId },
    };
  }
  if (event.type === 'CalcomWebhookApplied') {
    const data = event.data as CalcomWebhookApplied['data'];
    if (data.outcome === 'failed') {
      return {
        ...base,
        kind: 'webhook_failed',
        appointment_id: data.appointmentId,
        message: `A Cal.com ${data.triggerEvent} could not be applied (later facts of its booking wait behind it): ${data.reason}`,
        details: { factId: data.factId, factStream: event.streamName, bookingUid: data.bookingUid, triggerEvent: data.triggerEvent },
      };
    }
    if (data.outcome !== 'unmapped') return null;
    return {
      ...base,
      kind: 'unmapped_webhook',
      appointment_id: null,
      message: `A Cal.com ${data.triggerEvent} could not be mapped: ${data.reason}`,
      details: { factId: data.factId, factStream: event.streamName, bookingUid: data.bookingUid, triggerEvent: data.triggerEvent },
    };
  }
  if (event.type === 'DriftHealBlocked') {
    const data = event.data as DriftHealBlocked['data'];
    return { ...base, kind: 'drift_heal_blocked', appointment_id: null, message: data.summary, details: { ...data } };
  }
  return null;
}
