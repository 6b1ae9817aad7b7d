import {
  BACKWARDS,
  END,
  type EventStoreDBClient,
  excludeSystemEvents,
  START as ESDB_START,
  StreamNotFoundError,
  type AllStreamResolvedEvent,
  type RecordedEvent as EsdbRecordedEvent,
} from '@eventstore/db-client';
import {
  DuplicateEventIdError,
  START,
  WrongExpectedRevisionError,
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
import { toPortError } from './eventstoredb-errors.js';
import { toAllFilter } from './eventstoredb-filter.js';
import { readAllFiltered } from './eventstoredb-filtered-read.js';
import { compareEsdbPositions, decodeEsdbPosition, encodeEsdbPosition, laterEsdbPosition } from './eventstoredb-position.js';
import { chainTailOf, sealedEventData } from './eventstoredb-hash-chain.js';
import { toRecordedEvent } from './eventstoredb-recorded-event.js';
import { isSameEvent, recogniseRetriedAppend } from './eventstoredb-retried-append.js';
import { toEsdbExpectedRevision } from './eventstoredb-revision.js';

export interface EventStoreDbEventStoreOptions {
  /** Page size of readAll when the caller gives none. */
  defaultReadAllLimit?: number;
  /** Longest a waitForEventsAfter waits on its subscription before letting the caller look again. */
  maxWaitMs?: number;
}

/** Attempts of an append with 'any' when other writers keep getting in between read and append. */
const MAX_ANY_ATTEMPTS = 5;

/**
 * The event store on EventStoreDB / KurrentDB through @eventstore/db-client. Stream names, 0-based revisions and
 * event ids are EventStoreDB's own; positions are `$all` log positions. The client (its connection) belongs to
 * the caller; `close()` ends this store's waits but leaves the client open.
 */
export class EventStoreDbEventStore implements EventStore {
  private readonly closing = new AbortController();
  private readonly defaultReadAllLimit: number;
  private readonly maxWaitMs: number;

  constructor(
    private readonly client: EventStoreDBClient,
    options: EventStoreDbEventStoreOptions = {},
  ) {
    this.defaultReadAllLimit = options.defaultReadAllLimit ?? 1000;
    this.maxWaitMs = options.maxWaitMs ?? 5_000;
  }

  async appendToStream(streamName: string, events: NewEvent[], options: { expectedRevision?: ExpectedRevision } = {}): Promise<AppendResult> {
    const expected = options.expectedRevision ?? 'any';
    toEsdbExpectedRevision(expected); // throws on a malformed revision before anything is read
    if (events.length === 0) return this.appendNothing(streamName, expected);
    const now = new Date().toISOString();
    return this.append(
      streamName,
      events,
      expected,
      events.map(() => now),
    );
  }

  /**
   * EventStoreDB has no transaction across streams: each append is a write of its own, one after another (so appends
   * to one stream keep their order), and each is reported as it went.
   */
  async appendToStreams(appends: readonly StreamAppend[]): Promise<StreamAppendOutcome[]> {
    const outcomes: StreamAppendOutcome[] = [];
    for (const { streamName, events, expectedRevision } of appends) {
      try {
        outcomes.push({ ok: true, result: await this.appendToStream(streamName, events, { expectedRevision }) });
      } catch (error) {
        outcomes.push({ ok: false, error });
      }
    }
    return outcomes;
  }

  /**
   * Appends events copied from another store at the revisions they had there, keeping the time they were first
   * recorded (EventStoreDB stamps its own `created`). For `events:copy`; a repeated copy is an idempotent retry.
   */
  async appendCopied(streamName: string, events: RecordedEvent[]): Promise<AppendResult> {
    if (events.length === 0) throw new RangeError('appendCopied needs at least one event');
    const first = events[0].revision;
    const expected: ExpectedRevision = first === 0 ? 'no_stream' : first - 1;
    return this.append(
      streamName,
      events,
      expected,
      events.map((event) => event.recordedAt),
    );
  }

  async readStream<E extends EventShape = EventShape>(streamName: string, options: ReadStreamOptions = {}): Promise<RecordedEvent<E>[]> {
    const from = options.fromRevision ?? 0;
    if (!Number.isSafeInteger(from) || from < 0) throw new RangeError(`fromRevision must be a non-negative integer, got ${from}`);
    if (options.toRevision !== undefined && options.toRevision < from) return [];
    const maxCount = options.toRevision === undefined ? undefined : options.toRevision - from + 1;
    let events: RecordedEvent[];
    try {
      const read = await readToEnd(this.client.readStream(streamName, { fromRevision: BigInt(from), maxCount }));
      events = read.flatMap((resolved) => (resolved.event ? [toRecordedEvent(resolved.event)] : []));
    } catch (error) {
      if (error instanceof StreamNotFoundError) return [];
      throw error;
    }
    const until = options.until === undefined ? null : Date.parse(options.until);
    const read = until === null ? events : events.filter((event) => Date.parse(event.recordedAt) <= until);
    // The caller names the stream's event union (see the port); the events are whatever was appended to it.
    return read as RecordedEvent<E>[];
  }

  async readAll(options: ReadAllOptions = {}): Promise<ReadAllResult> {
    const after = options.after ?? START;
    const from = decodeEsdbPosition(after);
    const limit = options.limit ?? this.defaultReadAllLimit;
    // Taken before the filtered read, so that every matching event up to it is in that read (see nextReadPosition).
    const tail = await this.lastPositionInLog();
    // One more than the page: the server may start at `after` itself, which the caller already has.
    const read = readAllFiltered(this.client, { from, maxCount: limit + 1, filter: toAllFilter(options.streamPrefixes) });
    const events = (await readToEnd(read))
      .flatMap((resolved) => (resolved.event ? [toRecordedEvent(resolved.event)] : []))
      .filter((event) => compareEsdbPositions(event.position, after) > 0)
      .slice(0, limit);
    return { events, position: this.nextReadPosition(after, events, limit, tail) };
  }

  async waitForEventsAfter(position: Position, signal?: AbortSignal): Promise<void> {
    const stop = signal ? AbortSignal.any([signal, this.closing.signal]) : this.closing.signal;
    if (stop.aborted) return;
    const from = decodeEsdbPosition(position);
    const subscription = this.client.subscribeToAll({ fromPosition: from ?? ESDB_START, filter: excludeSystemEvents() });
    let timer: NodeJS.Timeout | undefined;
    let onAbort: (() => void) | undefined;
    try {
      await new Promise<void>((resolve, reject) => {
        onAbort = resolve;
        stop.addEventListener('abort', onAbort, { once: true });
        timer = setTimeout(resolve, this.maxWaitMs);
        subscription.on('error', reject);
        subscription.on('data', (resolved: AllStreamResolvedEvent) => {
          // Guards against a server that starts a subscription at the given position rather than after it.
          const at = resolved.event?.position;
          if (at && compareEsdbPositions(encodeEsdbPosition(at), position) > 0) resolve();
        });
      });
    } finally {
      clearTimeout(timer);
      if (onAbort) stop.removeEventListener('abort', onAbort);
      await subscription.unsubscribe().catch(() => undefined);
    }
  }

  comparePositions(a: Position, b: Position): number {
    return compareEsdbPositions(a, b);
  }

  async close(): Promise<void> {
    this.closing.abort();
  }

  /**
   * The stream is read first (retry recognition, and the hash of its last event for the chain); the append then goes
   * with that exact revision, so the chain cannot fork. A caller who said 'any' gets a new attempt when another
   * writer got in between.
   */
  private async append(streamName: string, events: NewEvent[], expected: ExpectedRevision, recordedAt: readonly string[]): Promise<AppendResult> {
    assertDistinctIds(events);
    let last: number;
    for (let attempt = 1; ; attempt++) {
      const stream = await this.readRawStream(streamName);
      const original = recogniseRetriedAppend(stream.map(toRecordedEvent), events, expected);
      if (original) return { nextExpectedRevision: original.revision, position: original.position };
      const tail = chainTailOf(stream.at(-1) ?? null);
      const exact: ExpectedRevision = expected === 'any' ? (tail?.revision ?? 'no_stream') : expected;
      try {
        const data = sealedEventData(streamName, events, tail, recordedAt);
        const result = await this.client.appendToStream(streamName, data, { expectedRevision: toEsdbExpectedRevision(exact) });
        last = Number(result.nextExpectedRevision);
        break;
      } catch (error) {
        const portError = toPortError(error, streamName, expected);
        if (expected === 'any' && portError instanceof WrongExpectedRevisionError && attempt < MAX_ANY_ATTEMPTS) continue;
        throw portError;
      }
    }
    // Read back: the position of the last event comes from the log itself, and an append that the server took for
    // a retry of another with the same ids but other content shows up here.
    const appended = await this.readStream(streamName, { fromRevision: last - events.length + 1, toRevision: last });
    if (appended.length !== events.length || !events.every((event, index) => isSameEvent(appended[index], event))) {
      throw new DuplicateEventIdError(events[0].id);
    }
    return { nextExpectedRevision: last, position: appended[appended.length - 1].position };
  }

  private async appendNothing(streamName: string, expected: ExpectedRevision): Promise<AppendResult> {
    const last = await this.lastEventOf(streamName);
    const current = last?.revision ?? -1;
    const matches = expected === 'any' || (expected === 'no_stream' ? current === -1 : expected === current);
    if (!matches) throw new WrongExpectedRevisionError(streamName, expected, current === -1 ? 'no_stream' : current);
    return { nextExpectedRevision: current, position: last?.position ?? START };
  }

  private async readRawStream(streamName: string): Promise<EsdbRecordedEvent[]> {
    try {
      const read = await readToEnd(this.client.readStream(streamName, { fromRevision: 0n }));
      return read.flatMap((resolved) => (resolved.event ? [resolved.event] : []));
    } catch (error) {
      if (error instanceof StreamNotFoundError) return [];
      throw error;
    }
  }

  private async lastEventOf(streamName: string): Promise<RecordedEvent | null> {
    try {
      const [last] = await readToEnd(this.client.readStream(streamName, { direction: BACKWARDS, fromRevision: END, maxCount: 1 }));
      return last?.event ? toRecordedEvent(last.event) : null;
    } catch (error) {
      if (error instanceof StreamNotFoundError) return null;
      throw error;
    }
  }

  async headPosition(): Promise<Position> {
    return (await this.lastPositionInLog()) ?? START;
  }

  /** The position of the newest record in `$all`, of any kind (system events included), or null when empty. */
  private async lastPositionInLog(): Promise<Position | null> {
    const [last] = await readToEnd(this.client.readAll({ direction: BACKWARDS, fromPosition: END, maxCount: 1 }));
    const position = last?.event?.position ?? last?.link?.position;
    return position ? encodeEsdbPosition(position) : null;
  }

  /**
   * A full page ends at its last event. A short page holds every matching event up to the log's tail as it was
   * before the read, so the reader may skip to that tail, past events the filter left out: otherwise a reader
   * whose filter matches nothing would be woken by every other write and read the same empty page again.
   */
  private nextReadPosition(after: Position, events: RecordedEvent[], limit: number, tail: Position | null): Position {
    const last = events.at(-1)?.position ?? after;
    if (events.length >= limit || tail === null) return last;
    return laterEsdbPosition(tail, last);
  }
}

/**
 * Every read is consumed to its end, never left early: a gRPC read whose last messages stay unread never
 * finishes, and the client's dispose() waits for it for ever. Reads are bounded by their count instead.
 */
async function readToEnd<T>(read: AsyncIterable<T>): Promise<T[]> {
  const items: T[] = [];
  for await (const item of read) items.push(item);
  return items;
}

function assertDistinctIds(events: { id: string }[]): void {
  const seen = new Set<string>();
  for (const { id } of events) {
    if (seen.has(id)) throw new DuplicateEventIdError(id);
    seen.add(id);
  }
}
