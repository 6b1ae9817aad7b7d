import { setTimeout as delay } from 'node:timers/promises';
import { START, type EventStore, type Position, type ReadAllResult, type RecordedEvent } from './event-store.port.js';
import { describeError, isOutage, type EventInTrouble, type ParkedEvent, type SubscriptionFailure, type SubscriptionIncidentLog } from './subscription-incidents.js';

/** Satisfied by `console` and by Nest's `Logger`. */
export interface SubscriptionLogger {
  log(message: string, ...context: unknown[]): void;
  error(message: string, ...context: unknown[]): void;
}

/** For callers that want no logs at all (tests, or an application started with logging off). */
export const SILENT_SUBSCRIPTION_LOGGER: SubscriptionLogger = { log: () => undefined, error: () => undefined };

export interface SubscriptionErrorContext {
  subscription: string;
  phase: SubscriptionFailure['phase'];
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
   * With `deferredCheckpoints`, the subscription saves positions instead, and hands over only relevant events.
   */
  handle(events: RecordedEvent[], position: Position): Promise<void>;
  /** For a handler whose checkpoint is not written with its effects: see DeferredCheckpoints. */
  deferredCheckpoints?: DeferredCheckpoints;
  onError?(error: unknown, context: SubscriptionErrorContext): void;
  logger?: SubscriptionLogger;
  retry?: { initialDelayMs?: number; maxDelayMs?: number };
  parking?: ParkingOptions;
  /** Where failures and parked events are recorded durably; without it they are only in memory (and logged). */
  incidents?: SubscriptionIncidentLog;
  /** Failures that say nothing about the events (default `isOutage`): retried for as long as they last, never parked. */
  isOutage?(error: unknown): boolean;
  onParked?(event: ParkedEvent): void;
}

/**
 * A worker whose effects do not commit with its checkpoint (a call, a message, appends of their own) need not write
 * its checkpoint for every commit it reads past. The subscription saves positions for it: a batch with no relevant
 * event is not handed to `handle`, and its position waits until `maxEvents` events or `maxDelayMs` lie behind the
 * saved one, or the subscription stops. A restart after a crash resumes from the older checkpoint and goes over
 * those events again, which is harmless when none of them was relevant.
 */
export interface DeferredCheckpoints {
  save(position: Position): Promise<void>;
  /** The events `handle` acts on (default: all). Where none is in a batch, `handle` is not called. */
  relevant?(event: RecordedEvent): boolean;
  /**
   * `skipped` (default): the position of a batch `handle` took is saved right after it. `all`: it waits like the
   * others, for a handler whose effects are recorded elsewhere and safe to repeat, so that a restart from an older
   * checkpoint only repeats cheap work.
   */
  defer?: 'skipped' | 'all';
  /** Default 1,000. */
  maxEvents?: number;
  /** Checked at each batch; default 5,000 ms. */
  maxDelayMs?: number;
}

export interface ParkingOptions {
  /** Attempts at a whole batch before looking for the event that fails. Default 3. */
  batchAttempts?: number;
  /** Attempts at that one event (with backoff) before it is parked. Default 5. */
  eventAttempts?: number;
  /**
   * Events parked in a row with none handled in between before parking stops (then the event is retried, and
   * reported, until it succeeds or the subscription stops): every event failing is a broken handler, not poison.
   * Default 10.
   */
  maxParkedInARow?: number;
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
 * checkpoint; when caught up waits for new events. A failing batch is retried with backoff; if it keeps failing, it is
 * split until the failing event is found (the events around it are handled), that event is retried with backoff a
 * bounded number of times, then parked: recorded, reported, and moved past with the checkpoint. Outages (the database
 * away, a wait timed out) are waited out, never parked. Works over any EventStore.
 */
export class CatchUpSubscription {
  private current: Position = START;
  private running: Promise<void> | null = null;
  private stopping = new AbortController();
  private readonly waiters = new Set<ProgressWaiter>();
  private readonly batchSize: number;
  private readonly logger: SubscriptionLogger;
  private readonly parking: Required<ParkingOptions>;
  private failing: SubscriptionFailure | null = null;
  private readonly parkedEvents: ParkedEvent[] = [];
  private parkedInARow = 0;
  /** Deferred checkpoints: the position last saved, and how far and since when the subscription is past it. */
  private saved: Position = START;
  private unsaved = { events: 0, since: 0 };

  constructor(
    private readonly store: EventStore,
    private readonly options: CatchUpSubscriptionOptions,
  ) {
    this.batchSize = options.batchSize ?? 500;
    this.logger = options.logger ?? console;
    this.parking = { batchAttempts: 3, eventAttempts: 5, maxParkedInARow: 10, ...options.parking };
  }

  get name(): string {
    return this.options.name;
  }

  /** The position of the last batch handled successfully (or the loaded checkpoint). */
  get position(): Position {
    return this.current;
  }

  /** What it keeps failing at right now, if anything; cleared by the next success. */
  get failure(): SubscriptionFailure | null {
    return this.failing;
  }

  /** The events this process parked, oldest first (the durable list is the incident log's). */
  get parked(): readonly ParkedEvent[] {
    return this.parkedEvents;
  }

  /** Loads the checkpoint, then runs in the background until `stop()`. */
  async start(): Promise<void> {
    if (this.running) return;
    this.stopping = new AbortController();
    this.current = await this.options.loadCheckpoint();
    this.saved = this.current;
    this.unsaved = { events: 0, since: 0 };
    this.logger.log(`Subscription ${this.name} starting after ${this.current}`);
    // A failure recorded by an earlier run (a crash, another instance) is news only if it happens again.
    await this.options.incidents?.recovered(this.name).catch((error: unknown) => this.logger.error(`Subscription ${this.name}: could not clear its old failure`, error));
    const signal = this.stopping.signal;
    this.running = this.run(signal).catch((error: unknown) => {
      this.logger.error(`Subscription ${this.name} halted`, error);
    });
  }

  /** Lets a batch in progress finish, saves a deferred checkpoint, then stops; pending `waitUntilProcessed` calls are rejected. */
  async stop(): Promise<void> {
    this.stopping.abort();
    await this.running;
    if (this.running && this.options.deferredCheckpoints && this.current !== this.saved) {
      await this.saveAt(this.current).catch((error: unknown) => this.logger.error(`Subscription ${this.name}: could not save its checkpoint on stop`, error));
    }
    this.running = null;
    for (const waiter of this.waiters) waiter.reject(new SubscriptionStoppedError(this.name));
    this.waiters.clear();
  }

  /**
   * Resolves once every event up to `position` has been handled (or parked); for read-your-writes after a command.
   */
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
   * where the current batch ends; it stays valid while that batch is retried or split (which always ends there), and
   * an empty one sends us to `waitForEventsAfter`, which looks at the store again before it waits.
   *
   * A short page means the reader has reached what the store lets it see: nothing is read ahead of it, and once it is
   * handled the subscription goes straight to `waitForEventsAfter`, whose one cheap look finds what was appended
   * meanwhile. Reading ahead there cost two page reads per batch that came back empty (with four subscriptions, about
   * 40 % of a ledger's queries under a steady stream of commands).
   */
  private async run(signal: AbortSignal): Promise<void> {
    let prefetched: Promise<ReadAllResult | typeof STOPPED> | null = null;
    try {
      while (!signal.aborted) {
        const after = this.current;
        const readDuringBatch = prefetched !== null;
        const batch = await (prefetched ?? this.readAfter(after, signal));
        prefetched = null;
        if (batch === STOPPED || signal.aborted) return;
        if (this.store.comparePositions(batch.position, after) <= 0) {
          // Appends committed while the batch was applied are often not in that page (the batch's own transaction
          // held the store's horizon): read once more straight away, so a waiting command pays no extra round trip.
          if (readDuringBatch) continue;
          await this.untilSuccess('wait', signal, () => this.store.waitForEventsAfter(after, signal));
          continue;
        }
        const atTheEnd = batch.events.length < this.batchSize;
        if (!atTheEnd) prefetched = this.readAfter(batch.position, signal);
        if ((await this.settle(batch.events, batch.position, this.parking.batchAttempts, signal)) === STOPPED) return;
        if (atTheEnd && (await this.untilSuccess('wait', signal, () => this.store.waitForEventsAfter(batch.position, signal))) === STOPPED) return;
      }
    } finally {
      // stop() resolves only once nothing of ours is still talking to the store.
      await prefetched;
    }
  }

  private readAfter(after: Position, signal: AbortSignal): Promise<ReadAllResult | typeof STOPPED> {
    return this.untilSuccess('read', signal, () => this.store.readAll({ after, limit: this.batchSize, streamPrefixes: this.options.streamPrefixes }));
  }

  /**
   * Handles `events` up to `end`. A batch that still fails after `attempts` is split in two and each half settled
   * with one attempt (a failure there is the same failure again, no need to wait), down to the single event, which
   * gets its own attempts with backoff and is then parked.
   */
  private async settle(events: RecordedEvent[], end: Position, attempts: number, signal: AbortSignal): Promise<void | typeof STOPPED> {
    const deferred = this.options.deferredCheckpoints;
    if (deferred) {
      const relevant = deferred.relevant ? events.filter((event) => deferred.relevant!(event)) : events;
      // A page the prefix filter emptied moved past one commit at least.
      this.unsaved.events += Math.max(events.length - relevant.length, events.length === 0 ? 1 : 0);
      events = relevant;
    }
    if (events.length === 0) {
      if ((await this.untilSuccess('handle', signal, () => this.checkpointOnly(end, true))) === STOPPED) return STOPPED;
      return this.advanceTo(end);
    }
    if (events.length === 1) return this.settleOne(events[0], end, signal);
    const outcome = await this.attempt(signal, attempts, null, () => this.handled(events, end));
    if (outcome === STOPPED) return STOPPED;
    if (outcome === HANDLED) return this.advanceTo(end, events.length);
    const middle = Math.ceil(events.length / 2);
    const left = events.slice(0, middle);
    if ((await this.settle(left, left[left.length - 1].position, 1, signal)) === STOPPED) return STOPPED;
    return this.settle(events.slice(middle), end, 1, signal);
  }

  private async settleOne(event: RecordedEvent, end: Position, signal: AbortSignal): Promise<void | typeof STOPPED> {
    const trouble = eventInTrouble(event);
    // A handler that fails on every event is broken, not fed poison: stop parking and keep trying (reported).
    const attempts = this.parkedInARow >= this.parking.maxParkedInARow ? Infinity : this.parking.eventAttempts;
    let tries = 0;
    const handleIt = () => (tries++, this.handled([event], end));
    let outcome = await this.attempt(signal, attempts, trouble, handleIt);
    // The event is to blame only if the handler works without it (a checkpoint-only batch where we are) just before
    // and just after it failed once more: else an outage that began or ended meanwhile could park a healthy event.
    while (outcome !== STOPPED && outcome !== HANDLED && !signal.aborted) {
      if (!(await this.worksWithout(trouble, signal))) {
        outcome = await this.attempt(signal, attempts, trouble, handleIt);
        continue;
      }
      outcome = await this.attempt(signal, 1, trouble, handleIt);
      if (outcome === STOPPED || outcome === HANDLED || (await this.worksWithout(trouble, signal))) break;
    }
    if (outcome === HANDLED) return this.advanceTo(end, 1);
    if (outcome === STOPPED || signal.aborted) return STOPPED;
    const parked: ParkedEvent = { ...trouble, subscription: this.name, resumeFrom: this.current, error: outcome.error, attempts: tries, parkedAt: new Date().toISOString() };
    if ((await this.untilSuccess('park', signal, () => this.options.incidents?.parked(parked) ?? Promise.resolve())) === STOPPED) return STOPPED;
    this.parkedEvents.push(parked);
    this.parkedInARow++;
    this.logger.error(`Subscription ${this.name} parked ${event.type} at ${event.position} (${event.streamName}) after ${tries} attempts: ${outcome.error}`);
    this.notify(() => this.options.onParked?.(parked));
    // Saved at once, deferred or not: a restart from before a parked event would try it, and park it, again.
    if ((await this.untilSuccess('handle', signal, () => this.checkpointOnly(end, false))) === STOPPED) return STOPPED;
    this.advanceTo(end);
  }

  /** `handle`, and with deferred checkpoints the save (or the deferral) of its position. */
  private async handled(events: RecordedEvent[], end: Position): Promise<void> {
    await this.options.handle(events, end);
    const deferred = this.options.deferredCheckpoints;
    if (!deferred) return;
    if (deferred.defer === 'all') return this.checkpointOnly(end, true, events.length);
    await this.saveAt(end);
  }

  /**
   * A position moved past with nothing to handle there: `handle([], position)`, or with deferred checkpoints the
   * save once one is due (`lazily`) or at once (a probe of whether the handler's database works).
   */
  private async checkpointOnly(position: Position, lazily: boolean, handledEvents = 0): Promise<void> {
    const deferred = this.options.deferredCheckpoints;
    if (!deferred) return this.options.handle([], position);
    this.unsaved.events += handledEvents;
    if (this.unsaved.since === 0) this.unsaved.since = Date.now();
    const due = this.unsaved.events >= (deferred.maxEvents ?? 1_000) || Date.now() - this.unsaved.since >= (deferred.maxDelayMs ?? 5_000);
    if (lazily && !due) return;
    await this.saveAt(position);
  }

  private async saveAt(position: Position): Promise<void> {
    await this.options.deferredCheckpoints!.save(position);
    this.saved = position;
    this.unsaved = { events: 0, since: 0 };
  }

  /**
   * Up to `attempts` tries at `step`, with backoff between them. Outages do not count: they are retried for as long
   * as they last. Returns the last failure when the attempts run out.
   */
  private async attempt(
    signal: AbortSignal,
    attempts: number,
    event: EventInTrouble | null,
    step: () => Promise<void>,
  ): Promise<typeof HANDLED | typeof STOPPED | { error: string; attempts: number }> {
    let counted = 0;
    for (;;) {
      try {
        await step();
        await this.recovered('handle');
        return HANDLED;
      } catch (error) {
        if (!(this.options.isOutage ?? isOutage)(error)) counted++;
        if (counted >= attempts) {
          await this.failed(error, 'handle', event, false);
          return { error: describeError(error), attempts: counted };
        }
        if ((await this.failed(error, 'handle', event, true, signal)) === STOPPED) return STOPPED;
      }
    }
  }

  /** False (after the backoff, or when stopped) when even an empty batch fails: nothing says the event is at fault. */
  private async worksWithout(trouble: EventInTrouble, signal: AbortSignal): Promise<boolean> {
    try {
      await this.checkpointOnly(this.current, false);
      return true;
    } catch (error) {
      await this.failed(error, 'handle', trouble, true, signal);
      return false;
    }
  }

  private async untilSuccess<T>(phase: SubscriptionFailure['phase'], signal: AbortSignal, step: () => Promise<T>): Promise<T | typeof STOPPED> {
    for (;;) {
      try {
        const result = await step();
        if (phase !== 'wait') await this.recovered(phase);
        return result;
      } catch (error) {
        if ((await this.failed(error, phase, null, true, signal)) === STOPPED) return STOPPED;
      }
    }
  }

  /** Notes, logs and reports a failed attempt; then, unless it was the last, waits out the backoff. */
  private async failed(error: unknown, phase: SubscriptionFailure['phase'], event: EventInTrouble | null, retrying: boolean, signal?: AbortSignal): Promise<void | typeof STOPPED> {
    const same = this.failing?.phase === phase && this.failing.event?.position === event?.position;
    const attempt = same ? this.failing!.attempts + 1 : 1;
    this.failing = {
      subscription: this.name,
      phase,
      position: this.current,
      event,
      error: describeError(error),
      attempts: attempt,
      since: same ? this.failing!.since : new Date().toISOString(),
    };
    const context = { subscription: this.name, phase, attempt, position: this.current };
    const backoffMs = this.backoffMs(attempt);
    const where = event ? `${event.eventType} at ${event.position}` : `after ${this.current}`;
    this.logger.error(`Subscription ${this.name} failed to ${phase} ${where} (attempt ${attempt})${retrying ? `; retrying in ${backoffMs} ms` : ''}`, error);
    this.notify(() => this.options.onError?.(error, context));
    await this.options.incidents?.failing(this.failing).catch((reportError: unknown) => this.logger.error(`Subscription ${this.name}: could not record its failure`, reportError));
    if (!retrying || !signal) return;
    if (signal.aborted) return STOPPED;
    await delay(backoffMs, undefined, { signal }).catch(() => undefined);
    if (signal.aborted) return STOPPED;
  }

  /**
   * Clears the failure once the step that failed works again. Only that step: the next page is read while a batch is
   * handled, so a read succeeding says nothing of a batch backing off (and a batch handled nothing of a failing read).
   */
  private async recovered(phase: Exclude<SubscriptionFailure['phase'], 'wait'>): Promise<void> {
    if (!this.failing || !RECOVERED_BY[phase].includes(this.failing.phase)) return;
    this.failing = null;
    await this.options.incidents?.recovered(this.name).catch((reportError: unknown) => this.logger.error(`Subscription ${this.name}: could not record its recovery`, reportError));
  }

  private advanceTo(position: Position, eventsHandled = 0): void {
    if (eventsHandled > 0) this.parkedInARow = 0;
    this.current = position;
    for (const waiter of this.waiters) if (this.reached(waiter.target)) waiter.resolve();
  }

  private reached(position: Position): boolean {
    return this.store.comparePositions(this.current, position) >= 0;
  }

  private notify(callback: () => void): void {
    try {
      callback();
    } catch (callbackError) {
      this.logger.error(`Subscription ${this.name}: a callback threw`, callbackError);
    }
  }

  private backoffMs(attempt: number): number {
    const initial = this.options.retry?.initialDelayMs ?? 100;
    const max = this.options.retry?.maxDelayMs ?? 5_000;
    return Math.min(max, initial * 2 ** Math.min(attempt - 1, 20));
  }
}

const HANDLED = Symbol('handled');

/** A wait that failed (timed out) is over once the store answers a read again. */
const RECOVERED_BY: Record<Exclude<SubscriptionFailure['phase'], 'wait'>, SubscriptionFailure['phase'][]> = {
  read: ['read', 'wait'],
  handle: ['handle'],
  park: ['park'],
};

function eventInTrouble(event: RecordedEvent): EventInTrouble {
  return { position: event.position, eventId: event.id, streamName: event.streamName, eventType: event.type, revision: event.revision };
}
