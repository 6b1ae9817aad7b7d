import {
  calcomSyncStreamPrefix,
  calcomWebhookStreamPrefix,
  type CalcomSyncEvent,
} from '../../../../libs/domain/src/index.js';
import { CatchUpSubscription, type SubscriptionLogger } from '../../../../libs/event-store/src/catch-up-subscription.js';
import type { EventStore, Position, RecordedEvent } from '../../../../libs/event-store/src/event-store.port.js';
import type { CalcomInboundQueries } from '../../../../projections/src/calcom-inbound.queries.js';
import type { WebhookFactApplier } from './webhook-fact.applier.js';

export const WEBHOOK_TRANSLATOR = 'calcom-webhook-translator';

export interface ReadModelProgress {
  /** Resolves once the read models include everything up to `position`. */
  waitUntilProcessed(position: Position, timeoutMs: number): Promise<void>;
}

export interface TranslatorCheckpoints {
  load(name: string): Promise<Position>;
  save(name: string, position: Position): Promise<void>;
}

const READ_MODEL_WAIT_MS = 30_000;

/**
 * Turns webhook facts into ledger events, in the order they were stored, from its own durable checkpoint.
 * It also watches the sync's streams: a booking uid that becomes known there may be what an orphan fact waits for.
 * Before a batch it lets the read models (the uid chain index) catch up to the batch, so no lookup is stale.
 */
export class CalcomWebhookTranslator {
  private readonly subscription: CatchUpSubscription;
  private lastWritten: Position | null = null;

  constructor(
    store: EventStore,
    private readonly applier: WebhookFactApplier,
    private readonly inbound: CalcomInboundQueries,
    private readonly readModels: ReadModelProgress,
    checkpoints: TranslatorCheckpoints,
    logger?: SubscriptionLogger,
  ) {
    this.subscription = new CatchUpSubscription(store, {
      name: WEBHOOK_TRANSLATOR,
      streamPrefixes: [calcomWebhookStreamPrefix, calcomSyncStreamPrefix],
      batchSize: 200,
      loadCheckpoint: () => checkpoints.load(WEBHOOK_TRANSLATOR),
      handle: async (events, position) => {
        await this.handle(events, position);
        await checkpoints.save(WEBHOOK_TRANSLATOR, position);
      },
      logger,
    });
  }

  start(): Promise<void> {
    return this.subscription.start();
  }

  stop(): Promise<void> {
    return this.subscription.stop();
  }

  get position(): Position {
    return this.subscription.position;
  }

  waitUntilProcessed(position: Position, timeoutMs: number): Promise<void> {
    return this.subscription.waitUntilProcessed(position, timeoutMs);
  }

  private async handle(events: readonly RecordedEvent[], position: Position): Promise<void> {
    if (events.length === 0) return;
    await this.readModels.waitUntilProcessed(position, READ_MODEL_WAIT_MS);
    for (const event of events) {
      if (event.type === 'CalcomWebhookReceived') {
        this.wrote((await this.applier.apply(event.streamName, { reapply: false })).position);
      } else {
        const uids = uidsMadeKnownBy(event);
        if (uids.length > 0) await this.reapplyOrphansWaitingFor(uids);
      }
    }
  }

  private async reapplyOrphansWaitingFor(uids: string[]): Promise<void> {
    // The orphan outcomes this translator wrote itself must be in the read model before it is asked.
    if (this.lastWritten) await this.readModels.waitUntilProcessed(this.lastWritten, READ_MODEL_WAIT_MS);
    for (const factStream of await this.inbound.orphansWaitingFor(uids)) {
      this.wrote((await this.applier.apply(factStream, { reapply: true })).position);
    }
  }

  private wrote(position: Position | null): void {
    if (position) this.lastWritten = position;
  }
}

/** The booking uids a sync event links to its appointment. */
function uidsMadeKnownBy(event: RecordedEvent): string[] {
  const sync = event as unknown as CalcomSyncEvent;
  if (sync.type !== 'CalcomOperationSucceeded' && sync.type !== 'CalcomBookingObserved') return [];
  const { uid, rescheduledFromUid } = sync.data.booking;
  return rescheduledFromUid ? [uid, rescheduledFromUid] : [uid];
}
