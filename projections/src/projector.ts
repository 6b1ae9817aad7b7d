import type { DataSource } from 'typeorm';
import {
  CatchUpSubscription,
  type ParkingOptions,
  type SubscriptionErrorContext,
  type SubscriptionLogger,
  type ParkedEvent,
  type SubscriptionFailure,
  type SubscriptionIncidentLog,
  type EventStore,
  type Position,
} from '#event-store';
import { loadCheckpoint } from './projection-checkpoints.js';
import { projectBatch, READ_MODEL_BATCH_SIZE, READ_MODELS_PROJECTION } from './read-models.batch.js';
import { createReadModels, readModelStreamPrefixes } from './read-models.js';
import { ReadModelIncidentLog } from './subscription-incidents.js';

export interface ProjectorOptions {
  /** Events per batch, i.e. per transaction. */
  batchSize?: number;
  /** The checkpoint's name; one per independent copy of the read models. */
  name?: string;
  logger?: SubscriptionLogger;
  /** Backoff between attempts at a failing batch. */
  retry?: { initialDelayMs?: number; maxDelayMs?: number };
  /** When an event that keeps failing is parked (see CatchUpSubscription). */
  parking?: ParkingOptions;
  /** Default: the incident tables of the read-model database. */
  incidents?: SubscriptionIncidentLog;
  onError?(error: unknown, context: SubscriptionErrorContext): void;
}

/**
 * Keeps every read model in this folder up to date from the event store: a catch-up subscription whose batches
 * are applied in one transaction together with the checkpoint. A failing batch is retried; an event that keeps
 * failing on its own is parked (recorded, reported) and the read models move on; `projections:rebuild` re-applies it.
 */
export class Projector {
  private readonly subscription: CatchUpSubscription;
  private started = false;

  constructor(store: EventStore, dataSource: DataSource, options: ProjectorOptions = {}) {
    const name = options.name ?? READ_MODELS_PROJECTION;
    const readModels = createReadModels();
    this.subscription = new CatchUpSubscription(store, {
      name,
      streamPrefixes: [...readModelStreamPrefixes],
      batchSize: options.batchSize ?? READ_MODEL_BATCH_SIZE,
      loadCheckpoint: () => loadCheckpoint(dataSource.manager, name),
      handle: (events, position) => projectBatch(dataSource, name, events, position, readModels),
      onError: options.onError,
      logger: options.logger,
      retry: options.retry,
      parking: options.parking,
      incidents: options.incidents ?? new ReadModelIncidentLog(dataSource),
    });
  }

  /** Where the read models are: the position of the last batch committed. */
  get position(): Position {
    return this.subscription.position;
  }

  /** What the projector is retrying, if anything; cleared by the next success. */
  get currentFailure(): SubscriptionFailure | null {
    return this.subscription.failure;
  }

  /** The events this process parked. */
  get parked(): readonly ParkedEvent[] {
    return this.subscription.parked;
  }

  /** Started, not stopped, and not stuck retrying a batch. */
  isRunning(): boolean {
    return this.started && this.subscription.failure === null;
  }

  /** Loads the checkpoint (rejects if the database cannot be read), then runs in the background. */
  async start(): Promise<void> {
    await this.subscription.start();
    this.started = true;
  }

  async stop(): Promise<void> {
    this.started = false;
    await this.subscription.stop();
  }

  /** For read-your-writes: resolves once the read models include everything up to `position`. */
  waitUntilProcessed(position: Position, timeoutMs: number): Promise<void> {
    return this.subscription.waitUntilProcessed(position, timeoutMs);
  }
}
