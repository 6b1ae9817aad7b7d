import { calcomSyncStreamPrefix, calcomWebhookStreamPrefix, driftChecksStream } from '#domain';
import { CatchUpSubscription, type SubscriptionLogger, type EventStore, type Position, type RecordedEvent, isOutage, type SubscriptionIncidentLog } from '#event-store';
import { notificationOf } from '#projections';
import type { WebhookFactsCheckpoints } from '../calcom-webhooks/webhook-facts.subscription.js';

export const NOTIFICATION_SENDER = 'notification-webhook';

export interface NotificationSenderOptions {
  url: string;
  timeoutMs?: number;
  retry?: { initialDelayMs?: number; maxDelayMs?: number };
  logger?: SubscriptionLogger;
  incidents?: SubscriptionIncidentLog;
}

/** The receiver being away is an outage, waited out (and reported), never a reason to park a notification. */
class NotificationNotDelivered extends Error {}

/**
 * POSTs each notification to NOTIFY_WEBHOOK_URL, in order, at least once: the checkpoint moves past a notification
 * only after the receiver answered 2xx; until then the same one is tried again with growing pauses (the receiver
 * can deduplicate on `notificationId`).
 */
export class NotificationSender {
  private readonly subscription: CatchUpSubscription;
  private delivered: Position | null = null;

  constructor(
    private readonly store: EventStore,
    private readonly checkpoints: WebhookFactsCheckpoints,
    private readonly options: NotificationSenderOptions,
  ) {
    this.subscription = new CatchUpSubscription(store, {
      name: NOTIFICATION_SENDER,
      streamPrefixes: [calcomSyncStreamPrefix, calcomWebhookStreamPrefix, driftChecksStream],
      loadCheckpoint: () => checkpoints.load(NOTIFICATION_SENDER),
      handle: (events) => this.handle(events),
      // Only notifications are handed over; the checkpoint moves past everything else without a write each time.
      deferredCheckpoints: {
        save: (position) => checkpoints.save(NOTIFICATION_SENDER, position),
        relevant: (event) => notificationOf(event) !== null,
      },
      logger: options.logger,
      retry: options.retry ?? { initialDelayMs: 500, maxDelayMs: 60_000 },
      incidents: options.incidents,
      isOutage: (error) => error instanceof NotificationNotDelivered || isOutage(error),
    });
  }

  start(): Promise<void> {
    return this.subscription.start();
  }

  stop(): Promise<void> {
    return this.subscription.stop();
  }

  /** The subscription saves the batch's position right after; one delivered before a later one fails is saved here. */
  private async handle(events: readonly RecordedEvent[]): Promise<void> {
    for (const [index, event] of events.entries()) {
      if (this.delivered && this.store.comparePositions(event.position, this.delivered) <= 0) continue;
      const notification = notificationOf(event);
      if (notification) {
        await this.post({
          notificationId: notification.notification_id,
          kind: notification.kind,
          appointmentId: notification.appointment_id,
          message: notification.message,
          details: notification.details,
          createdAt: notification.created_at,
        });
        if (index < events.length - 1) await this.checkpoints.save(NOTIFICATION_SENDER, event.position);
      }
      this.delivered = event.position;
    }
  }

  private async post(notification: Record<string, unknown>): Promise<void> {
    const response = await fetch(this.options.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(notification),
      signal: AbortSignal.timeout(this.options.timeoutMs ?? 5_000),
    }).catch((error: unknown) => {
      throw new NotificationNotDelivered(`${this.options.url} could not be reached: ${error instanceof Error ? error.message : String(error)}`);
    });
    await response.arrayBuffer().catch(() => undefined);
    if (!response.ok) throw new NotificationNotDelivered(`${this.options.url} answered ${response.status} to notification ${String(notification.notificationId)}`);
  }
}
