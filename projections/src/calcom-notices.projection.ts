import type { EntityManager } from 'typeorm';
import type {
  CalcomOperationFailed,
  CalcomWebhookApplied,
  DriftHealBlocked,
  SyncConflictDetected,
  SyncConflictResolved,
} from '../../libs/domain/src/index.js';
import type { RecordedEvent } from '../../libs/event-store/src/event-store.port.js';
import type { NotificationKind } from './calcom-inbound.entities.js';

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

/** The events a person must hear about, and the conflicts they may have to settle. */
export async function projectNotices(manager: EntityManager, events: readonly RecordedEvent[]): Promise<void> {
  const notifications: NotificationRecord[] = [];
  const detected: Detected[] = [];
  const resolved: Resolved[] = [];
  for (const event of events) {
    const notification = notificationOf(event);
    if (notification) notifications.push(notification);
    if (event.type === 'SyncConflictDetected') detected.push(event as Detected);
    else if (event.type === 'SyncConflictResolved') resolved.push(event as Resolved);
  }
  if (notifications.length > 0) await insertNotifications(manager, notifications);
  if (detected.length > 0) await upsertDetected(manager, detected);
  if (resolved.length > 0) await markResolved(manager, resolved);
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

async function insertNotifications(manager: EntityManager, rows: readonly NotificationRecord[]): Promise<void> {
  await manager.query(
    `INSERT INTO notifications (notification_id, kind, appointment_id, message, details, created_at)
     SELECT notification_id, kind, appointment_id, message, details, created_at
       FROM json_to_recordset($1::json) AS r(notification_id text, kind text, appointment_id text, message text,
                                            details jsonb, created_at timestamptz)
     ON CONFLICT (notification_id) DO NOTHING`,
    [JSON.stringify(rows)],
  );
}

/** A conflict updated while open (news during the conflict) keeps its id; only a later revision overwrites it. */
async function upsertDetected(manager: EntityManager, events: readonly Detected[]): Promise<void> {
  const rows = events.map(({ data, revision, recordedAt }) => ({
    conflict_id: data.conflictId,
    appointment_id: data.appointmentId,
    summary: data.summary,
    ledger: data.ledger,
    calcom: data.calcom,
    fact_id: data.factId,
    detected_at: recordedAt,
    sync_revision: revision,
  }));
  await manager.query(
    `INSERT INTO conflicts AS c (conflict_id, appointment_id, status, summary, ledger, calcom, fact_id, detected_at, sync_revision)
     SELECT conflict_id, appointment_id, 'open', summary, ledger, calcom, fact_id, detected_at, sync_revision
       FROM json_to_recordset($1::json) AS r(conflict_id text, appointment_id text, summary text, ledger jsonb,
                                            calcom jsonb, fact_id text, detected_at timestamptz, sync_revision integer)
     ON CONFLICT (conflict_id) DO UPDATE SET
            summary = EXCLUDED.summary, ledger = EXCLUDED.ledger, calcom = EXCLUDED.calcom, fact_id = EXCLUDED.fact_id,
            sync_revision = EXCLUDED.sync_revision
      WHERE c.sync_revision < EXCLUDED.sync_revision`,
    [JSON.stringify(rows)],
  );
}

async function markResolved(manager: EntityManager, events: readonly Resolved[]): Promise<void> {
  const rows = events.map(({ data, revision, recordedAt }) => ({
    conflict_id: data.conflictId,
    keep: data.keep,
    decided_by: data.decidedBy,
    resolved_at: recordedAt,
    sync_revision: revision,
  }));
  await manager.query(
    `UPDATE conflicts AS c SET status = 'resolved', keep = r.keep, decided_by = r.decided_by, resolved_at = r.resolved_at,
            sync_revision = r.sync_revision
       FROM json_to_recordset($1::json) AS r(conflict_id text, keep text, decided_by text, resolved_at timestamptz,
                                            sync_revision integer)
      WHERE c.conflict_id = r.conflict_id AND c.sync_revision < r.sync_revision`,
    [JSON.stringify(rows)],
  );
}
