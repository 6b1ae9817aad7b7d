import { setTimeout as delay } from 'node:timers/promises';
import { START, type EventStore, type Position, type ReadAllResult, type RecordedEvent } from './event-store.port.js';

/** Satisfied by `console` and by Nest's `Logger`. */
export interface SubscriptionLogger {
  log(message: string, ...context: unknown[]): void;
  error(message: string, ...context: unknown[]): void;
}

/** For callers that want no logs at all (tests, or an application started with logging off). */
export const SILENT_SUBSCRIPTION_LOGGER: SubscriptionLogger = { log: () => undefined, error: () => undefined };

export interface SubscriptionErrorContext {
  subscription: string;
  phase: 'read' | 'wait' | 'handle';
  /** 1 for the first failure of this step, growing while it keeps failing. */
  attempt: number;
  position: Position;
}

export interface CatchUpSubscriptionOptions {
  name: string;
  streamPrefixes?: string[];
  /** Events per readAll page and per `handle` call. Default 500. */
  batchSize?: number;
  loadCheckpoint(): Promise<Position>;
  /**
   * Handles one batch and persists `position` as the checkpoint, ideally in the same transaction as its effects.
   * `events` may be empty when the position moved past events the prefix filter left out: save it all the same.
   */
  handle(events: RecordedEvent[], position: Position): Promise<void>;
  onError?(error: unknown, context: SubscriptionErrorContext): void;
  logger?: SubscriptionLogger;
  retry?: { initialDelayMs?: number; maxDelayMs?: number };
}

export class WaitUntilProcessedTimeoutError extends Error {
  constructor(
    readonly subscription: string,
    readonly target: Position,
    readonly reached: Position,
    readonly timeoutMs: number,
  ) {
    super(`Subscription ${subscription} did not reach ${target} within ${timeoutMs} ms (at ${reached})`);
    this.name = 'WaitUntilProcessedTimeoutError';
  }
}

export class SubscriptionStoppedError extends Error {
  constructor(readonly subscription: string) {
    super(`Subscription ${subscription} stopped`);
    this.name = 'SubscriptionStoppedError';
  }
}

interface ProgressWaiter {
  target: Position;
  resolve(): void;
  reject(error: Error): void;
}

const STOPPED = Symbol('stopped');

/**
 * Feeds every event of the store, in global order and in batches, to one handler; resumes from the handler's
 * checkpoint; when caught up waits for new events. A failing batch is retried with backoff, never skipped.
 * Works over any EventStore.
 */
export class CatchUpSubscription {
  private current: Position = START;
  private running: Promise<void> | null = null;
  private stopping = new AbortController();
  private readonly waiters = new Set<ProgressWaiter>();
  private readonly batchSize: number;
  private readonly logger: SubscriptionLogger;

  constructor(
    private readonly store: EventStore,
    private readonly options: CatchUpSubscriptionOptions,
  ) {
    this.batchSize = options.batchSize ?? 500;
    this.logger = options.logger ?? console;
  }

  get name(): string {
    return this.options.name;
  }

  /** The position of the last batch handled successfully (or the loaded checkpoint). */
  get position(): Position {
    return this.current;
  }

  /** Loads the checkpoint, then runs in the background until `stop()`. */
  async start(): Promise<void> {
    if (this.running) return;
    this.stopping = new AbortController();
    this.current = await this.options.loadCheckpoint();
    this.logger.log(`Subscription ${this.name} starting after ${this.current}`);
    const signal = this.stopping.signal;
    this.running = this.run(signal).catch((error: unknown) => {
      this.logger.error(`Subscription ${this.name} halted`, error);
    });
  }

  /** Lets a batch in progress finish, then stops; pending `waitUntilProcessed` calls are rejected. */
  async stop(): Promise<void> {
    this.stopping.abort();
    await this.running;
    this.running = null;
    for (const waiter of this.waiters) waiter.reject(new SubscriptionStoppedError(this.name));
    this.waiters.clear();
  }

  /** Resolves once every event up to `position` has been handled; for read-your-writes after a command. */
  waitUntilProcessed(position: Position, timeoutMs: number): Promise<void> {
    if (this.reached(position)) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters.delete(waiter);
        reject(new WaitUntilProcessedTimeoutError(this.name, position, this.current, timeoutMs));
      }, timeoutMs);
      const settle = (outcome: () => void) => {
        clearTimeout(timer);
        this.waiters.delete(waiter);
        outcome();
      };
      const waiter: ProgressWaiter = {
        target: position,
        resolve: () => settle(resolve),
        reject: (error) => settle(() => reject(error)),
      };
      this.waiters.add(waiter);
    });
  }

  /**
   * Reads the next page while the handler applies the current one, so the two overlap. The prefetched page starts
   * where the current batch ends; it stays valid while that batch is retried, and an empty one sends us to
   * `waitForEventsAfter`, which looks at the store again before it waits.
   */
  private async run(signal: AbortSignal): Promise<void> {
    let prefetched: Promise<ReadAllResult | typeof STOPPED> | null = null;
    try {
      while (!signal.aborted) {
        const after = this.current;
        const batch = await (prefetched ?? this.readAfter(after, signal));
        prefetched = null;
        if (batch === STOPPED || signal.aborted) return;
        if (this.store.comparePositions(batch.position, after) <= 0) {
          await this.untilSuccess('wait', signal, () => this.store.waitForEventsAfter(after, signal));
          continue;
        }
        prefetched = this.readAfter(batch.position, signal);
        const handled = await this.untilSuccess('handle', signal, () => this.options.handle(batch.events, batch.position));
        if (handled === STOPPED) return;
        this.advanceTo(batch.position);
      }
    } finally {
      // stop() resolves only once nothing of ours is still talking to the store.
      await prefetched;
    }
  }

  private readAfter(after: Position, signal: AbortSignal): Promise<ReadAllResult | typeof STOPPED> {
    return this.untilSuccess('read', signal, () => this.store.readAll({ after, limit: this.batchSize, streamPrefixes: this.options.streamPrefixes }));
  }

  private advanceTo(position: Position): void {
    this.current = position;
    for (const waiter of this.waiters) if (this.reached(waiter.target)) waiter.resolve();
  }

  private reached(position: Position): boolean {
    return this.store.comparePositions(this.current, position) >= 0;
  }

  private async untilSuccess<T>(phase: SubscriptionErrorContext['phase'], signal: AbortSignal, step: () => Promise<T>): Promise<T | typeof STOPPED> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await step();
      } catch (error) {
        const context = { subscription: this.name, phase, attempt, position: this.current };
        const backoffMs = this.backoffMs(attempt);
        this.logger.error(`Subscription ${this.name} failed to ${phase} after ${this.current} (attempt ${attempt}); retrying in ${backoffMs} ms`, error);
        this.reportToCaller(error, context);
        if (signal.aborted) return STOPPED;
        await delay(backoffMs, undefined, { signal }).catch(() => undefined);
        if (signal.aborted) return STOPPED;
      }
    }
  }

  private reportToCaller(error: unknown, context: SubscriptionErrorContext): void {
    try {
      this.options.onError?.(error, context);
    } catch (callbackError) {
      this.logger.error(`Subscription ${this.name}: onError threw`, callbackError);
    }
  }

  private backoffMs(attempt: number): number {
    const initial = this.options.retry?.initialDelayMs ?? 100;
    const max = this.options.retry?.maxDelayMs ?? 5_000;
    return Math.min(max, initial * 2 ** Math.min(attempt - 1, 20));
  }
}
