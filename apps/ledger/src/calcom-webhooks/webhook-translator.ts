import {
  calcomSyncStreamPrefix,
  calcomWebhookStreamPrefix,
  type CalcomSyncEvent,
} from '../../../../libs/domain/src/index.js';
import { CatchUpSubscription, type SubscriptionLogger } from '../../../../libs/event-store/src/catch-up-subscription.js';
import type { EventStore, Position, RecordedEvent } from '../../../../libs/event-store/src/event-store.port.js';
import type { SubscriptionIncidentLog } from '../../../../libs/event-store/src/subscription-incidents.js';
import type { CalcomInboundQueries } from '../../../../projections/src/calcom-inbound.queries.js';
import { lanesOf, runLanes } from './fact-lanes.js';
import type { FactApplication, WebhookFactApplier } from './webhook-fact.applier.js';

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
/** Facts about unrelated bookings applied at once: each one mostly waits for the database. */
const LANES = 8;

/**
 * Turns webhook facts into ledger events, in the order they were stored, from its own durable checkpoint.
 * It also watches the sync's streams: a booking uid that becomes known there may be what an orphan fact waits for.
 * Before a batch it lets the read models (the uid chain index) catch up to the batch, so no lookup is stale.
 */
export class CalcomWebhookTranslator {
  private readonly subscription: CatchUpSubscription;
  /** The latest orphan outcome this process wrote that the read model may not show yet. */
  private orphanWritten: Position | null = null;

  constructor(
    private readonly store: EventStore,
    private readonly applier: WebhookFactApplier,
    private readonly inbound: CalcomInboundQueries,
    private readonly readModels: ReadModelProgress,
    checkpoints: TranslatorCheckpoints,
    logger?: SubscriptionLogger,
    incidents?: SubscriptionIncidentLog,
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
      incidents,
    });
  }

  start(): Promise<void> {
    return this.subscription.start();
  }

  stop(): Promise<void> {
    return this.subscription.stop();
  }

  private async handle(events: readonly RecordedEvent[], position: Position): Promise<void> {
    if (events.length === 0) return;
    await this.readModels.waitUntilProcessed(position, READ_MODEL_WAIT_MS);
    this.applier.startBatch();
    const facts = events.filter((event) => event.type === 'CalcomWebhookReceived');
    await runLanes(lanesOf(facts, (fact) => this.applier.bookingUidsOf(fact)), LANES, async (fact) => this.noteOrphan(await this.applier.applyNew(fact)));
    const madeKnown = new Set(events.flatMap(uidsMadeKnownBy));
    if (madeKnown.size > 0) await this.reapplyOrphansWaitingFor([...madeKnown]);
  }

  private noteOrphan({ outcome, position }: FactApplication): void {
    if (outcome !== 'orphan' || !position) return;
    if (!this.orphanWritten || this.store.comparePositions(position, this.orphanWritten) > 0) this.orphanWritten = position;
  }

  /** Once per batch: the facts kept as orphans that one of these uids may now place. */
  private async reapplyOrphansWaitingFor(uids: string[]): Promise<void> {
    // An orphan this process wrote may not be in the read model yet: wait for it before asking.
    if (this.orphanWritten) {
      await this.readModels.waitUntilProcessed(this.orphanWritten, READ_MODEL_WAIT_MS);
      this.orphanWritten = null;
    }
    for (const factStream of await this.inbound.orphansWaitingFor(uids)) this.noteOrphan(await this.applier.reapplyOrphan(factStream));
  }
}

/** The booking uids a sync event links to its appointment. */
function uidsMadeKnownBy(event: RecordedEvent): string[] {
  if (!event.streamName.startsWith(calcomSyncStreamPrefix)) return [];
  const sync = event as unknown as CalcomSyncEvent;
  if (sync.type !== 'CalcomOperationSucceeded' && sync.type !== 'CalcomBookingObserved') return [];
  const { uid, rescheduledFromUid } = sync.data.booking;
  return rescheduledFromUid ? [uid, rescheduledFromUid] : [uid];
}
