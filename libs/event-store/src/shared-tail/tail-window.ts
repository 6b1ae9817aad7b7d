import type { Position, ReadAllResult, RecordedEvent } from '../event-store.port.js';

export interface TailWindowLimits {
  maxEvents: number;
  /** Of the events' JSON, estimated once per event. */
  maxBytes: number;
}

/** Where a reader's position lies against the window's range `(from, to]`. */
export type PlaceInWindow = 'before' | 'inside' | 'end' | 'beyond';

/**
 * The most recent stretch of the global order as an unfiltered read returned it: every event the store lets a reader
 * see in `(from, to]` is here, in order. Only reads extend it (`to` is the position the store's own read moved to, so
 * the store's promise about that position carries over); the oldest events are dropped first when it grows past its
 * limits, and `from` moves up with them.
 */
export class TailWindow {
  private from: Position;
  private to: Position;
  /** Events from index `head` on are live; the dropped ones before it are cut off now and then. */
  private events: RecordedEvent[] = [];
  private sizes: number[] = [];
  private head = 0;
  /** Absolute index (dropped events included) of `events[0]`, and of each live event by its position. */
  private offset = 0;
  private readonly indexByPosition = new Map<Position, number>();
  private bytes = 0;
  /** The last extension was a full page: the store holds more after `to`. */
  private moreAfterEnd = false;

  constructor(
    at: Position,
    private readonly compare: (a: Position, b: Position) => number,
    private readonly limits: TailWindowLimits,
  ) {
    this.from = at;
    this.to = at;
  }

  get end(): Position {
    return this.to;
  }

  get size(): number {
    return this.events.length - this.head;
  }

  placeOf(position: Position): PlaceInWindow {
    if (position === this.to) return 'end';
    if (position === this.from || this.indexByPosition.has(position)) return 'inside';
    if (this.compare(position, this.to) > 0) return 'beyond';
    return this.compare(position, this.from) < 0 ? 'before' : 'inside';
  }

  /**
   * What the store would answer to a read after `after` (which must be inside or at the end): a full page ends at its
   * last event, a short one at the end of the window. Each event is a shallow copy (its data is shared).
   */
  read(after: Position, limit: number, prefixes: readonly string[] | null): ReadAllResult {
    const found: RecordedEvent[] = [];
    for (let index = this.firstIndexAfter(after); index < this.events.length && found.length < limit; index++) {
      const event = this.events[index];
      if (prefixes === null || startsWithAny(event.streamName, prefixes)) found.push({ ...event });
    }
    return { events: found, position: found.length >= limit ? found[found.length - 1].position : this.to };
  }

  /** Whether a reader at `position` has something to read here already (or the store is known to hold more). */
  hasNewsAfter(position: Position): boolean {
    if (position === this.to) return this.moreAfterEnd;
    const last = this.events.at(-1);
    return last !== undefined && this.head < this.events.length && this.compare(last.position, position) > 0;
  }

  /**
   * Takes what an unfiltered read after `end` returned. False (and nothing taken) when the answer does not fit on
   * the end: a position before it, or an event outside `(end, position]`.
   */
  extend(page: ReadAllResult, full: boolean): boolean {
    if (this.compare(page.position, this.to) < 0) return false;
    let previous = this.to;
    for (const event of page.events) {
      if (this.compare(event.position, previous) <= 0) return false;
      previous = event.position;
    }
    if (this.compare(previous, page.position) > 0) return false;
    for (const event of page.events) this.push(event);
    this.to = page.position;
    this.moreAfterEnd = full;
    this.evict();
    return true;
  }

  private push(event: RecordedEvent): void {
    const size = estimatedBytes(event);
    this.indexByPosition.set(event.position, this.offset + this.events.length);
    this.events.push(event);
    this.sizes.push(size);
    this.bytes += size;
  }

  private evict(): void {
    while (this.size > 0 && (this.size > this.limits.maxEvents || this.bytes > this.limits.maxBytes)) {
      const dropped = this.events[this.head];
      this.bytes -= this.sizes[this.head];
      this.indexByPosition.delete(dropped.position);
      this.from = dropped.position;
      this.head++;
    }
    if (this.head > 1024 && this.head * 2 > this.events.length) {
      this.events = this.events.slice(this.head);
      this.sizes = this.sizes.slice(this.head);
      this.offset += this.head;
      this.head = 0;
    }
  }

  private firstIndexAfter(after: Position): number {
    if (after === this.to) return this.events.length;
    if (after === this.from) return this.head;
    const absolute = this.indexByPosition.get(after);
    if (absolute !== undefined) return absolute - this.offset + 1;
    // A position between events (a store's tail need not be an event's place): the first event after it.
    let low = this.head;
    let high = this.events.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (this.compare(this.events[middle].position, after) > 0) high = middle;
      else low = middle + 1;
    }
    return low;
  }
}

/** PostgreSQL's `stream_name ^@ ANY (prefixes)`: the callers make sure the prefixes compare the same way here. */
function startsWithAny(streamName: string, prefixes: readonly string[]): boolean {
  for (const prefix of prefixes) if (streamName.startsWith(prefix)) return true;
  return false;
}

const RECORD_OVERHEAD_BYTES = 200;

function estimatedBytes(event: RecordedEvent): number {
  try {
    return RECORD_OVERHEAD_BYTES + event.streamName.length + event.type.length + (JSON.stringify(event.data)?.length ?? 0) + (JSON.stringify(event.metadata)?.length ?? 0);
  } catch {
    return RECORD_OVERHEAD_BYTES + 1_000_000;
  }
}
