import type { DataSource, EntityManager } from 'typeorm';
import type { EventInTrouble, ParkedEvent, SubscriptionFailure, SubscriptionIncidentLog } from '#event-store';

/** The notification kind of a parked event, listed by `GET /notifications` with the Cal.com ones. */
export const SUBSCRIPTION_PARKED = 'subscription_parked';

/**
 * The subscriptions' incident log in the read-model database, next to their checkpoints: a failing subscription's
 * row while it retries, and each parked event with a notification, written together.
 */
export class ReadModelIncidentLog implements SubscriptionIncidentLog {
  constructor(private readonly dataSource: DataSource) {}

  async failing(failure: SubscriptionFailure): Promise<void> {
    await this.dataSource.query(
      `INSERT INTO subscription_failures (subscription, phase, position, event, error, attempts, since, updated_at)
       VALUES ($1, $2, $3, $4::jsonb, $5, $6, $7, now())
       ON CONFLICT (subscription) DO UPDATE SET phase = EXCLUDED.phase, position = EXCLUDED.position, event = EXCLUDED.event,
              error = EXCLUDED.error, attempts = EXCLUDED.attempts, since = EXCLUDED.since, updated_at = EXCLUDED.updated_at`,
      [
        failure.subscription,
        failure.phase,
        failure.position,
        failure.event && JSON.stringify(failure.event),
        failure.error,
        Math.min(failure.attempts, 2 ** 31 - 1),
        failure.since,
      ],
    );
  }

  async recovered(subscription: string): Promise<void> {
    await this.dataSource.query('DELETE FROM subscription_failures WHERE subscription = $1', [subscription]);
  }

  parked(event: ParkedEvent): Promise<void> {
    return this.dataSource.transaction((manager) => recordParkedEvent(manager, event));
  }
}

/** Idempotent per subscription and position: a crash before the checkpoint moved parks the same event again. */
export async function recordParkedEvent(manager: EntityManager, event: ParkedEvent): Promise<void> {
  await manager.query(
    `INSERT INTO parked_events (subscription, position, resume_from, event_id, stream_name, event_type, revision, error, attempts, parked_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
     ON CONFLICT (subscription, position) DO UPDATE SET error = EXCLUDED.error, attempts = EXCLUDED.attempts, parked_at = EXCLUDED.parked_at`,
    [event.subscription, event.position, event.resumeFrom, event.eventId, event.streamName, event.eventType, event.revision, event.error, event.attempts, event.parkedAt],
  );
  await manager.query(
    `INSERT INTO notifications (notification_id, kind, appointment_id, message, details, created_at)
     VALUES ($1, $2, NULL, $3, $4::jsonb, $5) ON CONFLICT (notification_id) DO NOTHING`,
    [
      parkedNotificationId(event),
      SUBSCRIPTION_PARKED,
      `${event.subscription} skipped ${event.eventType} of ${event.streamName} after ${event.attempts} failed attempts: ${event.error}`,
      JSON.stringify(parkedDetails(event)),
      event.parkedAt,
    ],
  );
}

/** A rebuild empties the notifications: the ones of events still parked by other subscriptions come back. */
export async function restoreParkedNotifications(manager: EntityManager): Promise<void> {
  for (const event of await listParkedEvents(manager)) await recordParkedEvent(manager, event);
}

export interface SubscriptionIncidents {
  failures: SubscriptionFailure[];
  parked: ParkedEvent[];
}

/** Everything that is wrong now, for `/health` and `/metrics`. */
export async function readSubscriptionIncidents(manager: EntityManager): Promise<SubscriptionIncidents> {
  const failures: FailureRow[] = await manager.query('SELECT subscription, phase, position, event, error, attempts, since FROM subscription_failures ORDER BY subscription');
  return {
    failures: failures.map((row) => ({ ...row, since: row.since.toISOString() })),
    parked: await listParkedEvents(manager),
  };
}

export async function listParkedEvents(manager: EntityManager, subscription?: string): Promise<ParkedEvent[]> {
  const rows: ParkedRow[] = await manager.query(
    `SELECT subscription, position, resume_from, event_id, stream_name, event_type, revision, error, attempts, parked_at
       FROM parked_events WHERE ($1::text IS NULL OR subscription = $1) ORDER BY subscription, parked_at, position`,
    [subscription ?? null],
  );
  return rows.map((row) => ({
    subscription: row.subscription,
    position: row.position,
    resumeFrom: row.resume_from,
    eventId: row.event_id,
    streamName: row.stream_name,
    eventType: row.event_type,
    revision: Number(row.revision),
    error: row.error,
    attempts: row.attempts,
    parkedAt: row.parked_at.toISOString(),
  }));
}

function parkedNotificationId(event: ParkedEvent): string {
  return `parked:${event.subscription}:${event.position}`;
}

function parkedDetails(event: ParkedEvent): Record<string, unknown> {
  const { subscription, position, eventId, streamName, eventType, revision, error, attempts } = event;
  return { subscription, position, eventId, streamName, eventType, revision, error, attempts };
}

interface FailureRow {
  subscription: string;
  phase: SubscriptionFailure['phase'];
  position: string;
  event: EventInTrouble | null;
  error: string;
  attempts: number;
  since: Date;
}

interface ParkedRow {
  subscription: string;
  position: string;
  resume_from: string;
  event_id: string;
  stream_name: string;
  event_type: string;
  revision: string;
  error: string;
  attempts: number;
  parked_at: Date;
}
