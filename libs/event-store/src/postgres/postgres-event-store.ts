import { setTimeout as delay } from 'node:timers/promises';
import type pg from 'pg';
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
import { PostgresAppendListener } from './postgres-append-listener.js';
import { PostgresAppendNotifier } from './postgres-append-notifier.js';
import {
  appendQuery,
  hasEventsAfterQuery,
  headPositionQuery,
  readAllQuery,
  readStreamQuery,
  streamStateQuery,
  toRecordedEvent,
  withNotification,
  type AppendRow,
  type ReadAllRow,
} from './postgres-event-store.queries.js';
import { AppendErrorCode, migrateEventStore } from './postgres-event-store.schema.js';
import { comparePostgresPositions, decodePosition, encodePosition } from './postgres-position.js';
import { appendToStreamsInOneTransaction, migrateMultiStreamAppend } from './postgres-multi-stream-append.js';

export interface PostgresEventStoreOptions {
  /** How often a waiting reader re-checks without a notification, e.g. after a slow transaction commits. */
  pollIntervalMs?: number;
  /** Page size of readAll when the caller gives none. */
  defaultReadAllLimit?: number;
  /** Most one notification per this many ms tells readers in other processes of appends (see PostgresAppendNotifier). */
  notifyIntervalMs?: number;
}

const UNIQUE_VIOLATION = '23505';
const EVENT_ID_CONSTRAINT = 'events_event_id_unique';
/** Retries of transient ordering conflicts (EV003, racing duplicate ids); each retry is a new transaction. */
const MAX_APPEND_ATTEMPTS = 5;
/** The longest pause between looks while events after a reader's position are held back by an open transaction. */
const HELD_BACK_MAX_PAUSE_MS = 50;

/**
 * The event store on PostgreSQL. The pool (and its configuration) belongs to the caller; `close()` stops
 * this store's own listening connection but leaves the pool open.
 */
export class PostgresEventStore implements EventStore {
  private readonly listener: PostgresAppendListener;
  private readonly notifier: PostgresAppendNotifier;
  private readonly closing = new AbortController();
  private readonly pollIntervalMs: number;
  private readonly defaultReadAllLimit: number;

  constructor(
    private readonly pool: pg.Pool,
    options: PostgresEventStoreOptions = {},
  ) {
    this.pollIntervalMs = options.pollIntervalMs ?? 250;
    this.defaultReadAllLimit = options.defaultReadAllLimit ?? 1000;
    this.notifier = new PostgresAppendNotifier(pool, options.notifyIntervalMs);
    this.listener = new PostgresAppendListener(pool.options, this.notifier.senderId);
  }

  /** Applies the schema (idempotent) and returns a ready store. */
  static async create(pool: pg.Pool, options?: PostgresEventStoreOptions): Promise<PostgresEventStore> {
    await migrateEventStore(pool);
    await migrateMultiStreamAppend(pool);
    return new PostgresEventStore(pool, options);
  }

  async appendToStream(streamName: string, events: NewEvent[], options: { expectedRevision?: ExpectedRevision } = {}): Promise<AppendResult> {
    const expected = options.expectedRevision ?? 'any';
    assertValidExpectedRevision(expected);
    if (events.length === 0) return this.appendNothing(streamName, expected);
    assertDistinctIds(events);
    for (let attempt = 1; ; attempt++) {
      const ticket = this.notifier.takeTurn();
      try {
        const statement = withNotification(this.appendStatement(streamName, events, expected), ticket === null ? null : this.notifier.senderId);
        const { rows } = await this.pool.query<AppendRow>(statement);
        const [row] = rows;
        this.listener.wakeAll();
        if (ticket === null) this.notifier.appended();
        else this.notifier.carried(ticket);
        return {
          nextExpectedRevision: Number(row.appended_revision),
          position: encodePosition(row.appended_transaction_id, row.appended_global_position),
        };
      } catch (error) {
        if (attempt < MAX_APPEND_ATTEMPTS && isTransientAppendConflict(error)) continue;
        throw toPortError(error, streamName, expected);
      }
    }
  }

  /** One statement for all (see postgres-multi-stream-append.ts), each append judged as appendToStream judges it. */
  async appendToStreams(appends: readonly StreamAppend[]): Promise<StreamAppendOutcome[]> {
    const rules = {
      isTransient: isTransientAppendConflict,
      toPortError,
      validate: ({ events, expectedRevision }: StreamAppend) => {
        assertValidExpectedRevision(expectedRevision ?? 'any');
        assertDistinctIds(events);
      },
      appendNothing: (streamName: string, expected: ExpectedRevision) => this.appendNothing(streamName, expected),
      appendAlone: ({ streamName, events, expectedRevision }: StreamAppend) => this.appendToStream(streamName, events, { expectedRevision }),
    };
    const outcomes = await appendToStreamsInOneTransaction(this.pool, appends, rules, MAX_APPEND_ATTEMPTS);
    if (outcomes.some((outcome) => outcome.ok)) {
      this.listener.wakeAll();
      this.notifier.appended();
    }
    return outcomes;
  }

  async readStream<E extends EventShape = EventShape>(streamName: string, options: ReadStreamOptions = {}): Promise<RecordedEvent<E>[]> {
    const { rows } = await this.pool.query(readStreamQuery(streamName, options));
    // The caller names the stream's event union (see the port); the rows are whatever was appended to it.
    return rows.map(toRecordedEvent) as RecordedEvent<E>[];
  }

  async readAll(options: ReadAllOptions = {}): Promise<ReadAllResult> {
    const after = options.after ?? START;
    const limit = options.limit ?? this.defaultReadAllLimit;
    const prefixes = options.streamPrefixes?.length ? options.streamPrefixes : null;
    const { rows } = await this.pool.query<ReadAllRow>(readAllQuery(decodePosition(after), limit, prefixes));
    const events = rows.filter((row) => row.event_id !== null).map(toRecordedEvent);
    return { events, position: this.nextReadPosition(after, events, limit, rows[0]?.tail ?? null) };
  }

  async headPosition(): Promise<Position> {
    const { rows } = await this.pool.query<{ transaction_id: string; global_position: string }>(headPositionQuery);
    return rows[0] ? encodePosition(rows[0].transaction_id, rows[0].global_position) : START;
  }

  async waitForEventsAfter(position: Position, signal?: AbortSignal): Promise<void> {
    // One controller per wait, fed by the caller's signal, close() and notifications (not AbortSignal.any,
    // whose dependent signals pile up on the long-lived close signal in older Node versions).
    const done = new AbortController();
    const end = () => done.abort();
    const sources = [this.closing.signal, ...(signal ? [signal] : [])];
    if (sources.some((source) => source.aborted)) return;
    for (const source of sources) source.addEventListener('abort', end, { once: true });
    const unsubscribe = await this.listener.subscribe(end);
    try {
      const after = decodePosition(position);
      let heldChecks = 0;
      while (!done.signal.aborted) {
        const { rows } = await this.pool.query<{ found: boolean; held: boolean }>(hasEventsAfterQuery(after));
        if (rows[0].found) return;
        // Events held back by a transaction still in progress (another subscription's checkpoint, say) are readable
        // when it ends, which no notification announces: look again soon, not after a whole poll interval. The pause
        // doubles from 1 ms but stays short: doubling without a cap made a reader behind a transaction held for H ms
        // look again up to H ms after it ended (with a long poll interval, seconds).
        heldChecks = rows[0].held ? heldChecks + 1 : 0;
        const pauseMs = heldChecks > 0 ? Math.min(this.pollIntervalMs, HELD_BACK_MAX_PAUSE_MS, 2 ** (heldChecks - 1)) : this.pollIntervalMs;
        await delay(pauseMs, undefined, { signal: done.signal }).catch(() => undefined);
      }
    } finally {
      unsubscribe();
      for (const source of sources) source.removeEventListener('abort', end);
    }
  }

  comparePositions(a: Position, b: Position): number {
    return comparePostgresPositions(a, b);
  }

  async close(): Promise<void> {
    this.closing.abort();
    await this.notifier.flush();
    await this.listener.close();
  }

  /**
   * A full page ends at its last event; a short page means everything readable was scanned, so the reader
   * may skip to the tail past events that the prefix filter left out.
   */
  private nextReadPosition(after: Position, events: RecordedEvent[], limit: number, tail: Position | null): Position {
    const last = events.at(-1)?.position ?? after;
    if (events.length >= limit || tail === null) return last;
    return comparePostgresPositions(tail, last) > 0 ? tail : last;
  }

  /** One append's statement. The benchmark's store without the hash chain (bench/contenders/ledger-unchained) overrides it. */
  protected appendStatement(streamName: string, events: NewEvent[], expected: ExpectedRevision): pg.QueryConfig {
    return appendQuery(streamName, events, expected);
  }

  private async appendNothing(streamName: string, expected: ExpectedRevision): Promise<AppendResult> {
    const { rows } = await this.pool.query<{ revision: string; position: string }>(streamStateQuery(streamName));
    const current = rows.length ? Number(rows[0].revision) : -1;
    const matches = expected === 'any' || (expected === 'no_stream' ? current === -1 : expected === current);
    if (!matches) throw new WrongExpectedRevisionError(streamName, expected, current === -1 ? 'no_stream' : current);
    return { nextExpectedRevision: current, position: rows[0]?.position ?? START };
  }
}

function assertValidExpectedRevision(expected: ExpectedRevision): void {
  if (typeof expected === 'number' && !(Number.isSafeInteger(expected) && expected >= 0)) {
    throw new RangeError(`Expected revision must be a non-negative integer, 'no_stream' or 'any', got ${expected}`);
  }
}

function assertDistinctIds(events: NewEvent[]): void {
  const seen = new Set<string>();
  for (const { id } of events) {
    if (seen.has(id)) throw new DuplicateEventIdError(id);
    seen.add(id);
  }
}

interface DatabaseError {
  code?: string;
  constraint?: string;
  detail?: string;
}

/**
 * EV003: see the schema. A unique violation on the event id means a concurrent append of the same ids
 * committed first: retrying lets append_to_stream tell an idempotent retry from a real duplicate.
 */
function isTransientAppendConflict(error: unknown): boolean {
  const { code, constraint } = error as DatabaseError;
  return code === AppendErrorCode.transactionOrder || (code === UNIQUE_VIOLATION && constraint === EVENT_ID_CONSTRAINT);
}

function toPortError(error: unknown, streamName: string, expected: ExpectedRevision): unknown {
  const { code, constraint, detail } = error as DatabaseError;
  if (code === AppendErrorCode.wrongExpectedRevision) {
    const actual = Number(detail);
    return new WrongExpectedRevisionError(streamName, expected, actual === -1 ? 'no_stream' : actual);
  }
  if (code === AppendErrorCode.duplicateEventId) return new DuplicateEventIdError(detail ?? 'unknown');
  if (code === UNIQUE_VIOLATION && constraint === EVENT_ID_CONSTRAINT) {
    return new DuplicateEventIdError(/\(event_id\)=\(([^)]+)\)/.exec(detail ?? '')?.[1] ?? 'unknown');
  }
  return error;
}
