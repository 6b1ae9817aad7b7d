import { calcomSyncStreamPrefix, calcomWebhookStreamPrefix, type CalcomSyncEvent } from '#domain';
import { CatchUpSubscription, type SubscriptionLogger, type EventStore, type Position, type RecordedEvent, type SubscriptionIncidentLog } from '#event-store';
import type { CalcomInboundQueries } from '#projections';
import { BlockedLanes } from './blocked-lanes.js';
import { lanesOf, runLanes } from './fact-lanes.js';
import type { FactApplication, Received, WebhookFactTranslator } from './webhook-fact.translator.js';

export const WEBHOOK_FACTS_SUBSCRIPTION = 'calcom-webhook-translator';

export interface ReadModelProgress {
  /** Resolves once the read models include everything up to `position`. */
  waitUntilProcessed(position: Position, timeoutMs: number): Promise<void>;
}

/** Lets the webhook intake go first (see WebhookIntakeLoad): resolves when a fact may be translated. */
export interface IntakeFirst {
  giveWay(): Promise<void>;
}

export interface WebhookFactsCheckpoints {
  load(name: string): Promise<Position>;
  save(name: string, position: Position): Promise<void>;
}

const READ_MODEL_WAIT_MS = 30_000;
/** Past this many, the uids orphans wait for are no longer kept: every uid a sync event makes known is looked up. */
const MAX_ORPHAN_UIDS = 100_000;
/** Facts about unrelated bookings applied at once: each one mostly waits for the database. */
const LANES = 8;

/**
 * Turns webhook facts into ledger events, in the order they were stored, from its own durable checkpoint.
 * It also watches the sync's streams: a booking uid that becomes known there may be what an orphan fact waits for.
 * Before a batch it lets the read models (the uid chain index) catch up to the batch, so no lookup is stale.
 *
 * Facts are independent per booking: one that cannot be applied is recorded as `failed` (see WebhookFactTranslator),
 * the later facts of its booking are recorded as `waiting` behind it, and everything else goes on; the checkpoint
 * moves past all of them. Those outcomes are the durable record of the lane (rebuilt into BlockedLanes on the first
 * batch after a start); an admin's CalcomWebhookRetryRequested, itself an event in the fact's stream, brings the
 * failed fact back here, and once it goes through the facts behind it are applied in store order.
 *
 * Only facts, retry requests and sync events that may place an orphan are handed to it; the checkpoint moves past the
 * rest without a write of its own each time (DeferredCheckpoints): going over them again after a crash does nothing.
 */
export class WebhookFactsSubscription {
  private readonly subscription: CatchUpSubscription;
  /** The latest orphan outcome this process wrote that the read model may not show yet. */
  private orphanWritten: Position | null = null;
  private readonly blocked: BlockedLanes;
  private blockedLoaded = false;
  /**
   * The booking uids orphan facts wait for: those the read model showed on the first batch and those written since,
   * never pruned (a uid that no longer places anything costs one lookup). Null until loaded, or when too many.
   */
  private orphanUids: Set<string> | null = null;

  constructor(
    private readonly store: EventStore,
    private readonly applier: WebhookFactTranslator,
    private readonly inbound: CalcomInboundQueries,
    private readonly readModels: ReadModelProgress,
    checkpoints: WebhookFactsCheckpoints,
    logger?: SubscriptionLogger,
    incidents?: SubscriptionIncidentLog,
    private readonly intake: IntakeFirst = { giveWay: () => Promise.resolve() },
  ) {
    this.blocked = new BlockedLanes((a, b) => store.comparePositions(a, b));
    this.subscription = new CatchUpSubscription(store, {
      name: WEBHOOK_FACTS_SUBSCRIPTION,
      streamPrefixes: [calcomWebhookStreamPrefix, calcomSyncStreamPrefix],
      batchSize: 200,
      loadCheckpoint: () => checkpoints.load(WEBHOOK_FACTS_SUBSCRIPTION),
      handle: (events, position) => this.handle(events, position),
      deferredCheckpoints: {
        save: (position) => checkpoints.save(WEBHOOK_FACTS_SUBSCRIPTION, position),
        relevant: (event) => event.type === 'CalcomWebhookReceived' || event.type === 'CalcomWebhookRetryRequested' || this.mayPlaceAnOrphan(event),
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
    await this.loadBlockedLanes();
    this.applier.startBatch();
    // Retries first: the facts waiting behind a retried fact were received before any new fact of this batch.
    for (const request of events.filter((event) => event.type === 'CalcomWebhookRetryRequested')) await this.retry(request.streamName);
    const facts = events.filter((event) => event.type === 'CalcomWebhookReceived') as Received[];
    await runLanes(
      lanesOf(facts, (fact) => this.applier.bookingUidsOf(fact)),
      LANES,
      async (fact) => {
        await this.intake.giveWay();
        await this.applyNew(fact);
      },
    );
    const madeKnown = new Set(events.flatMap(uidsMadeKnownBy).filter((uid) => this.orphanMayWaitFor(uid)));
    if (madeKnown.size > 0) await this.reapplyOrphansWaitingFor([...madeKnown]);
  }

  /** Once per start: the lanes the outcomes recorded so far hold, and the uids orphans wait for, from a read model that has caught up with them. */
  private async loadBlockedLanes(): Promise<void> {
    if (this.blockedLoaded) return;
    await this.readModels.waitUntilProcessed(await this.store.headPosition(), READ_MODEL_WAIT_MS);
    const [blocked, orphanUids] = await Promise.all([this.inbound.blockedFacts(), this.inbound.orphanBookingUids()]);
    this.blocked.load(blocked);
    this.orphanUids = orphanUids.length <= MAX_ORPHAN_UIDS ? new Set(orphanUids) : null;
    this.blockedLoaded = true;
  }

  /**
   * A sync event that makes a booking uid known is for us only if an orphan may wait for that uid. (A fact in the
   * same batch cannot become such an orphan: it is looked up in read models that already include the event.)
   */
  private mayPlaceAnOrphan(event: RecordedEvent): boolean {
    return uidsMadeKnownBy(event).some((uid) => this.orphanMayWaitFor(uid));
  }

  /** Whether an orphan fact may wait for `uid`: every uid may, until the uids are loaded or when too many to keep. */
  private orphanMayWaitFor(uid: string): boolean {
    return this.orphanUids?.has(uid) ?? true;
  }

  private async applyNew(fact: Received): Promise<void> {
    // Failed or waiting already (this batch is replayed after a crash): that outcome stands until a retry.
    if (this.blocked.holds(fact.streamName)) return;
    const uids = this.applier.bookingUidsOf(fact);
    const blocker = this.blocked.blockerOf(uids);
    if (blocker) {
      await this.applier.recordWaiting(fact, 0, blocker);
      this.blocked.wait(fact.streamName, uids, blocker, fact.position);
      return;
    }
    const application = await this.applier.applyNew(fact);
    if (application.outcome === 'failed') this.blocked.fail(fact.streamName, uids);
    this.noteOrphan(application);
  }

  /** An admin's retry: the failed fact again, and once it is no longer failed, the facts that waited behind it, in order. */
  private async retry(factStream: string): Promise<void> {
    const application = await this.applier.retryFailed(factStream);
    this.noteOrphan(application);
    if (application.outcome === 'failed' || application.outcome === 'waiting') return;
    for (const waiting of this.blocked.release(factStream)) await this.release(waiting);
  }

  private async release(factStream: string): Promise<void> {
    const fact = await this.applier.waitingFact(factStream);
    if (!fact) return;
    const uids = this.applier.bookingUidsOf(fact.received);
    // Its other booking may still wait behind another failed fact.
    const blocker = this.blocked.blockerOf(uids);
    if (blocker) {
      await this.applier.recordWaiting(fact.received, fact.revision, blocker);
      this.blocked.wait(factStream, uids, blocker, fact.received.position);
      return;
    }
    const application = await this.applier.applyReleased(fact.received, fact.revision);
    if (application.outcome === 'failed') this.blocked.fail(factStream, uids);
    this.noteOrphan(application);
  }

  private noteOrphan({ outcome, position, bookingUids }: FactApplication): void {
    if (outcome !== 'orphan') return;
    if (this.orphanUids && bookingUids) for (const uid of bookingUids) this.orphanUids.add(uid);
    if (this.orphanUids && this.orphanUids.size > MAX_ORPHAN_UIDS) this.orphanUids = null;
    if (!position) return;
    if (!this.orphanWritten || this.store.comparePositions(position, this.orphanWritten) > 0) this.orphanWritten = position;
  }

  /** Once per batch: the facts kept as orphans that one of these uids may now place. */
  private async reapplyOrphansWaitingFor(uids: string[]): Promise<void> {
    // An orphan this process wrote may not be in the read model yet: wait for it before asking.
    if (this.orphanWritten) {
      await this.readModels.waitUntilProcessed(this.orphanWritten, READ_MODEL_WAIT_MS);
      this.orphanWritten = null;
    }
    for (const factStream of await this.inbound.orphansWaitingFor(uids)) {
      const application = await this.applier.reapplyOrphan(factStream);
      if (application.outcome === 'failed') this.blocked.fail(factStream, application.bookingUids ?? []);
      this.noteOrphan(application);
    }
  }
}

/** The booking uids a sync event links to its appointment. */
function uidsMadeKnownBy(event: RecordedEvent): string[] {
  if (!event.streamName.startsWith(calcomSyncStreamPrefix)) return [];
  const sync = event as RecordedEvent<CalcomSyncEvent>;
  if (sync.type !== 'CalcomOperationSucceeded' && sync.type !== 'CalcomBookingObserved') return [];
  const { uid, rescheduledFromUid } = sync.data.booking;
  return rescheduledFromUid ? [uid, rescheduledFromUid] : [uid];
}
