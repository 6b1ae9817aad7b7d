import type { EntityManager } from 'typeorm';
import type { CalcomWebhookApplied, CalcomWebhookReceived } from '../../libs/domain/src/index.js';
import type { RecordedEvent } from '../../libs/event-store/src/event-store.port.js';

type Received = RecordedEvent<CalcomWebhookReceived>;
type Applied = RecordedEvent<CalcomWebhookApplied>;

/**
 * One row per fact: inserted once when received, then moved forward by each outcome (an orphan re-applied later,
 * or a failed fact retried, gets its next outcome; a retry request itself changes nothing here). Two statements per
 * batch whatever its size. An appointment named once stays named, so a fact that failed on it stays in its history.
 */
export async function projectWebhookFacts(manager: EntityManager, events: readonly RecordedEvent[]): Promise<void> {
  const received: Received[] = [];
  const applied = new Map<string, Applied>();
  for (const event of events) {
    if (event.type === 'CalcomWebhookReceived') received.push(event as Received);
    else if (event.type === 'CalcomWebhookApplied') applied.set(event.streamName, event as Applied);
  }
  if (received.length > 0) await insertReceived(manager, received);
  if (applied.size > 0) await updateOutcomes(manager, [...applied.values()]);
}

async function insertReceived(manager: EntityManager, events: readonly Received[]): Promise<void> {
  const rows = events.map(({ streamName, id, data, revision, recordedAt, position }) => ({
    fact_stream: streamName,
    fact_id: id,
    trigger_event: data.triggerEvent,
    booking_uid: data.bookingUid,
    received_at: recordedAt,
    received_position: position,
    revision,
  }));
  await manager.query(
    `INSERT INTO calcom_webhook_facts (fact_stream, fact_id, trigger_event, booking_uid, received_at, received_position, revision)
     SELECT fact_stream, fact_id, trigger_event, booking_uid, received_at, received_position, revision
       FROM json_to_recordset($1::json) AS r(fact_stream text, fact_id text, trigger_event text, booking_uid text,
                                            received_at timestamptz, received_position text, revision integer)
     ON CONFLICT (fact_stream) DO NOTHING`,
    [JSON.stringify(rows)],
  );
}

async function updateOutcomes(manager: EntityManager, events: readonly Applied[]): Promise<void> {
  const rows = events.map(({ streamName, data, revision, recordedAt }) => ({
    fact_stream: streamName,
    booking_uid: data.bookingUid,
    previous_booking_uid: data.previousBookingUid,
    appointment_id: data.appointmentId,
    outcome: data.outcome,
    reason: data.reason,
    waits_for: data.waitsFor ?? null,
    applied_at: recordedAt,
    revision,
  }));
  await manager.query(
    `UPDATE calcom_webhook_facts AS f SET
            booking_uid = COALESCE(r.booking_uid, f.booking_uid), previous_booking_uid = r.previous_booking_uid,
            appointment_id = COALESCE(r.appointment_id, f.appointment_id), outcome = r.outcome, reason = r.reason,
            waits_for = r.waits_for, applied_at = r.applied_at, revision = r.revision
       FROM json_to_recordset($1::json) AS r(fact_stream text, booking_uid text, previous_booking_uid text,
                                            appointment_id text, outcome text, reason text, waits_for text,
                                            applied_at timestamptz, revision integer)
      WHERE f.fact_stream = r.fact_stream AND f.revision < r.revision`,
    [JSON.stringify(rows)],
  );
}
