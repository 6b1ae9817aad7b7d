import type { DataSource } from 'typeorm';
import {
  CatchUpSubscription,
  type SubscriptionErrorContext,
  type SubscriptionLogger,
} from '../../libs/event-store/src/catch-up-subscription.js';
import type { EventStore, Position } from '../../libs/event-store/src/event-store.port.js';
import { AppointmentRowCache } from './appointment-row.cache.js';
import { loadCheckpoint } from './projection-checkpoints.js';
import { projectBatch, READ_MODELS_PROJECTION, readModelStreamPrefixes } from './read-models.batch.js';

export interface ProjectorOptions {
  /** Events per batch, i.e. per transaction. */
  batchSize?: number;
  /** The checkpoint's name; one per independent copy of the read models. */
  name?: string;
  logger?: SubscriptionLogger;
  /** Backoff between attempts at a failing batch. */
  retry?: { initialDelayMs?: number; maxDelayMs?: number };
  onError?(error: unknown, context: SubscriptionErrorContext): void;
}

/** A batch the projector cannot apply and keeps retrying. */
export interface ProjectorFailure {
  message: string;
  attempt: number;
}

/**
 * Keeps every read model in this folder up to date from the event store: a catch-up subscription whose batches
 * are applied in one transaction together with the checkpoint. A failing batch is retried, never skipped.
 */
export class Projector {
  private readonly subscription: CatchUpSubscription;
  private started = false;
  private failure: ProjectorFailure | null = null;

  constructor(store: EventStore, dataSource: DataSource, options: ProjectorOptions = {}) {
    const name = options.name ?? READ_MODELS_PROJECTION;
    const cache = new AppointmentRowCache();
    this.subscription = new CatchUpSubscription(store, {
      name,
      streamPrefixes: [...readModelStreamPrefixes],
      batchSize: options.batchSize ?? 1000,
      loadCheckpoint: () => loadCheckpoint(dataSource.manager, name),
      handle: async (events, position) => {
        await projectBatch(dataSource, name, events, position, cache);
        this.failure = null;
      },
      onError: (error, context) => {
        // Read and wait failures are the database being away, which the event store's own health shows.
        if (context.phase === 'handle') {
          this.failure = { message: error instanceof Error ? error.message : String(error), attempt: context.attempt };
        }
        options.onError?.(error, context);
      },
      logger: options.logger,
      retry: options.retry,
    });
  }

  /** Where the read models are: the position of the last batch committed. */
  get position(): Position {
    return this.subscription.position;
  }

  /** The batch failure the projector is retrying, if any; cleared when a batch commits. */
  get currentFailure(): ProjectorFailure | null {
    return this.failure;
  }

  /** Started, not stopped, and not stuck retrying a batch. */
  isRunning(): boolean {
    return this.started && this.failure === null;
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
