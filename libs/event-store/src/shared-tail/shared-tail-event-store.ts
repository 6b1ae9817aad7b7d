import {
  START,
  type AppendResult,
  type EventShape,
  type EventStore,
  type ExpectedRevision,
  type NewEvent,
  type Position,
  type ReadAllOptions,
  type ReadAllResult,
  type ReadStreamOptions,
  type RecordedEvent,
  type StreamAppend,
  type StreamAppendOutcome,
} from '../event-store.port.js';
import { SharedWait } from './shared-wait.js';
import { TailWindow, type PlaceInWindow } from './tail-window.js';

export interface SharedTailOptions {
  /** Most events kept in memory (default 10,000). */
  maxEvents?: number;
  /** Most bytes of event JSON kept in memory, estimated (default 32 MiB). */
  maxBytes?: number;
  /** Events per read of the tail (default 1,000). */
  pageSize?: number;
}

interface Refresh {
  window: TailWindow;
  done: Promise<void>;
}

interface WindowRead {
  after: Position;
  limit: number;
  prefixes: readonly string[] | null;
}

/**
 * One reader of the end of the log for every subscription of a process. Subscriptions at the end of the log all ask
 * the same thing after each commit: is there anything after my position, and then a page of it. Here they share one
 * wait of the store underneath per position, and one unfiltered read of the tail that keeps the most recent events in
 * a bounded window; each is answered from that window with its own prefix filter. A reader the window does not cover
 * (catching up, a rebuild, a command line tool) reads the store underneath as before.
 *
 * Below the personal-data store: the window holds sealed events, opened per reader (the opened data is memoised
 * there, and forgotten on an erasure), so what an erasure destroyed never comes back from here.
 *
 * Appends do not touch the window: only a read of the store says which events are final in the global order.
 */
export class SharedTailEventStore implements EventStore {
  private window: TailWindow | null = null;
  private refreshing: Refresh | null = null;
  private readonly waits = new Map<Position, SharedWait>();
  private readonly maxEvents: number;
  private readonly maxBytes: number;
  private readonly pageSize: number;
  private closed = false;
  /** The newest position an append through this store reported: a window ending before it is known to be stale. */
  private lastAppended: Position | null = null;

  constructor(
    private readonly inner: EventStore,
    options: SharedTailOptions = {},
  ) {
    this.pageSize = options.pageSize ?? 1_000;
    this.maxEvents = Math.max(options.maxEvents ?? 10_000, this.pageSize);
    this.maxBytes = options.maxBytes ?? 32 * 1024 * 1024;
  }

  async appendToStream(streamName: string, events: NewEvent[], options?: { expectedRevision?: ExpectedRevision }): Promise<AppendResult> {
    const result = await this.inner.appendToStream(streamName, events, options);
    this.appendedAt(result.position);
    return result;
  }

  async appendToStreams(appends: readonly StreamAppend[]): Promise<StreamAppendOutcome[]> {
    const outcomes = await this.inner.appendToStreams(appends);
    for (const outcome of outcomes) if (outcome.ok) this.appendedAt(outcome.result.position);
    return outcomes;
  }

  readStream<E extends EventShape = EventShape>(streamName: string, options?: ReadStreamOptions): Promise<RecordedEvent<E>[]> {
    return this.inner.readStream<E>(streamName, options);
  }

  /**
   * Inside the window: answered from memory. At its end: one read of the tail, shared by every caller there at the
   * time. Past its end (a reader that caught up through the store on its own): the window catches up, or, if it lags
   * too far, starts again where that reader is. Before it, or asked what the window cannot answer: the store's read.
   */
  async readAll(options: ReadAllOptions = {}): Promise<ReadAllResult> {
    const read = windowReadOf(options);
    if (read === null) return this.inner.readAll(options);
    let refreshedFor: TailWindow | null = null;
    let refreshesBeyond = 0;
    let restarted = false;
    for (;;) {
      const window = this.window;
      const place = window && !this.closed ? placeIn(window, read.after) : 'before';
      if (window === null || place === 'before') return this.inner.readAll(options);
      if (place === 'inside' || (place === 'end' && refreshedFor === window)) {
        const answer = window.read(read.after, read.limit, read.prefixes);
        // A short answer says "nothing more after this": as of the window's last read of the store. Appends made
        // through this store since then are known to be there, so look once more (shared) before saying so, and
        // if the window still cannot fill the page, let the store answer: a reader sees its own process's appends.
        if (answer.events.length >= read.limit || !this.behindOwnAppends(window)) return answer;
        if (refreshedFor === window) return window.hasNewsAfter(window.end) ? this.inner.readAll(options) : answer;
      }
      if (place === 'beyond' && refreshesBeyond >= 2 && !this.refreshing) {
        if (restarted) return this.inner.readAll(options);
        restarted = true;
        this.window = new TailWindow(read.after, (a, b) => this.inner.comparePositions(a, b), { maxEvents: this.maxEvents, maxBytes: this.maxBytes });
        continue;
      }
      const refreshing: Refresh = this.refreshing ?? this.refresh(window);
      await refreshing.done;
      if (refreshing.window === window) {
        refreshedFor = window;
        refreshesBeyond += place === 'beyond' ? 1 : 0;
      }
    }
  }

  /**
   * Resolves at once when the window holds events after `position`; otherwise joins the one wait of the store
   * underneath for that position (made by the first caller, ended when the last caller's signal aborts).
   */
  async waitForEventsAfter(position: Position, signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) return;
    if (this.closed) return this.inner.waitForEventsAfter(position, signal);
    this.window ??= this.windowAt(position);
    const window = this.window;
    if (window !== null && hasNewsAfter(window, position)) return;
    let wait = this.waits.get(position);
    if (wait === undefined || wait.isOver) {
      const made: SharedWait = new SharedWait(
        (shared) => this.inner.waitForEventsAfter(position, shared),
        () => this.waits.get(position) === made && this.waits.delete(position),
      );
      this.waits.set(position, made);
      wait = made;
    }
    return wait.join(signal);
  }

  headPosition(): Promise<Position> {
    return this.inner.headPosition();
  }

  comparePositions(a: Position, b: Position): number {
    return this.inner.comparePositions(a, b);
  }

  async close(): Promise<void> {
    this.closed = true;
    this.window = null;
    try {
      await this.inner.close();
    } finally {
      for (const wait of [...this.waits.values()]) wait.wake();
    }
  }

  private appendedAt(position: Position): void {
    try {
      if (this.lastAppended === null || this.inner.comparePositions(position, this.lastAppended) > 0) this.lastAppended = position;
    } catch {
      // A position the store cannot compare says nothing about the window.
    }
  }

  private behindOwnAppends(window: TailWindow): boolean {
    return this.lastAppended !== null && this.inner.comparePositions(this.lastAppended, window.end) > 0;
  }

  /** A window starting (empty) at a caller's position, if the store understands that position. */
  private windowAt(position: Position): TailWindow | null {
    try {
      this.inner.comparePositions(position, START);
    } catch {
      return null;
    }
    return new TailWindow(position, (a, b) => this.inner.comparePositions(a, b), { maxEvents: this.maxEvents, maxBytes: this.maxBytes });
  }

  private refresh(window: TailWindow): Refresh {
    const refreshing: Refresh = {
      window,
      done: this.readTail(window).finally(() => {
        if (this.refreshing === refreshing) this.refreshing = null;
      }),
    };
    this.refreshing = refreshing;
    return refreshing;
  }

  private async readTail(window: TailWindow): Promise<void> {
    const page = await this.inner.readAll({ after: window.end, limit: this.pageSize });
    if (this.window !== window) return;
    // A store that answered outside what it was asked: trust nothing kept so far.
    if (!window.extend(page, page.events.length >= this.pageSize)) {
      this.window = null;
      return;
    }
    for (const [position, wait] of this.waits) if (hasNewsAfter(window, position)) wait.wake();
  }
}

/** The reads the window answers as the store would; anything else goes to the store. */
function windowReadOf({ after = START, limit, streamPrefixes }: ReadAllOptions): WindowRead | null {
  if (limit === undefined || !Number.isSafeInteger(limit) || limit < 1) return null;
  if (!streamPrefixes?.length) return { after, limit, prefixes: null };
  if (!streamPrefixes.every(comparesAsInTheStore)) return null;
  return { after, limit, prefixes: streamPrefixes };
}

/**
 * A prefix that `startsWith` on a stored (well-formed) stream name judges as PostgreSQL's `^@` does: PostgreSQL has
 * no lone surrogates and refuses NUL; EventStoreDB leaves `$` streams (its own) out of an unfiltered read.
 */
function comparesAsInTheStore(prefix: unknown): boolean {
  return typeof prefix === 'string' && !LONE_SURROGATE_OR_NUL.test(prefix) && !prefix.startsWith('$');
}

const LONE_SURROGATE_OR_NUL = /[\p{Cs}\0]/u;

/** A position the store refuses is not placed: the store's own read says why. */
function placeIn(window: TailWindow, position: Position): PlaceInWindow {
  try {
    return window.placeOf(position);
  } catch {
    return 'before';
  }
}

function hasNewsAfter(window: TailWindow, position: Position): boolean {
  try {
    return window.hasNewsAfter(position);
  } catch {
    return false;
  }
}
