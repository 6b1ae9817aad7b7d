import type { CalcomWebhookApplied, CalcomWebhookReceived, WebhookOutcome } from '#domain';
import type { RecordedEvent } from '#event-store';
import { insertRows, type ReadModelTable, updateRows } from '../read-model-table.js';
import type { ReadModelSql } from '../read-model.js';

type Received = RecordedEvent<CalcomWebhookReceived>;
type Applied = RecordedEvent<CalcomWebhookApplied>;

interface WebhookFactRecord {
  fact_stream: string;
  fact_id: string;
  trigger_event: string;
  booking_uid: string | null;
  previous_booking_uid: string | null;
  appointment_id: string | null;
  outcome: WebhookOutcome;
  reason: string;
  received_at: string;
  applied_at: string;
  waits_for: string | null;
  received_position: string;
  /** The fact stream's revision of the last event applied to the row. */
  revision: number;
}

const factsTable: ReadModelTable<WebhookFactRecord> = {
  name: 'calcom_webhook_facts',
  columns: {
    fact_stream: 'text',
    fact_id: 'text',
    trigger_event: 'text',
    booking_uid: 'text',
    previous_booking_uid: 'text',
    appointment_id: 'text',
    outcome: 'text',
    reason: 'text',
    received_at: 'timestamptz',
    applied_at: 'timestamptz',
    waits_for: 'text',
    received_position: 'text',
    revision: 'integer',
  },
  key: 'fact_stream',
  guard: 'revision',
};

/**
 * One row per fact: inserted once when received, then moved forward by each outcome (an orphan re-applied later,
 * or a failed fact retried, gets its next outcome; a retry request itself changes nothing here). Two statements per
 * batch whatever its size. An appointment named once stays named, so a fact that failed on it stays in its history.
 */
export async function projectWebhookFacts(manager: ReadModelSql, events: readonly RecordedEvent[]): Promise<void> {
  const received: Received[] = [];
  const applied = new Map<string, Applied>();
  for (const event of events) {
    if (event.type === 'CalcomWebhookReceived') received.push(event as Received);
    else if (event.type === 'CalcomWebhookApplied') applied.set(event.streamName, event as Applied);
  }
  await insertRows(
    manager,
    factsTable,
    received.map(({ streamName, id, data, revision, recordedAt, position }) => ({
      fact_stream: streamName,
      fact_id: id,
      trigger_event: data.triggerEvent,
      booking_uid: data.bookingUid,
      received_at: recordedAt,
      received_position: position,
      revision,
    })),
  );
  await updateRows(
    manager,
    factsTable,
    [...applied.values()].map(({ streamName, data, revision, recordedAt }) => ({
      fact_stream: streamName,
      booking_uid: data.bookingUid,
      previous_booking_uid: data.previousBookingUid,
      appointment_id: data.appointmentId,
      outcome: data.outcome,
      reason: data.reason,
      waits_for: data.waitsFor ?? null,
      applied_at: recordedAt,
      revision,
    })),
    { booking_uid: 'coalesce(r.booking_uid, t.booking_uid)', appointment_id: 'coalesce(r.appointment_id, t.appointment_id)' },
  );
}
