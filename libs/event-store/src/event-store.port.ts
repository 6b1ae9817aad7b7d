/**
 * The one port every event store adapter implements (PostgreSQL now, EventStoreDB later).
 * Revisions are 0-based per stream; positions are opaque strings that only the adapter that made them understands.
 */

export type EventSource = 'admin' | 'calcom' | 'sync' | 'reconciler';

export interface EventMetadata {
  actor: string;
  source: EventSource;
  correlationId: string;
  causationId: string | null;
  reason?: string | null;
  [key: string]: unknown;
}

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

export interface NewEvent<Type extends string = string, Data = unknown> {
  /** A UUID chosen by the caller: appending the same id twice is a no-op (idempotent retry). */
  id: string;
  type: Type;
  data: Data;
  metadata: EventMetadata;
}

/** What every stored event is: a type name and JSON-safe data. A domain's event union (`AppointmentEvent`) is one. */
export interface EventShape {
  type: string;
  data: unknown;
}

/** Where and when the store recorded an event. */
export interface RecordedPlace {
  id: string;
  streamName: string;
  metadata: EventMetadata;
  revision: number;
  position: Position;
  /** ISO 8601, UTC. */
  recordedAt: string;
}

/**
 * A stored event. Given an event union, it stays a union that `type` narrows: `RecordedEvent<AppointmentEvent>`
 * is an `AppointmentEvent` with its place in the store.
 */
export type RecordedEvent<E extends EventShape = EventShape> = E & RecordedPlace;

/** Opaque, totally ordered within one store; `START` is before every event. */
export type Position = string;
export const START: Position = 'start';

export type ExpectedRevision = 'no_stream' | 'any' | number;

export interface AppendResult {
  /** The revision of the last event in the stream after the append. */
  nextExpectedRevision: number;
  /** The position of the last event appended (or of the original events on an idempotent retry). */
  position: Position;
}

/** One append of several committed together by `appendToStreams`. */
export interface StreamAppend {
  streamName: string;
  events: NewEvent[];
  expectedRevision?: ExpectedRevision;
}

/** What became of one append of `appendToStreams`: its result, or why it was left out (the others are not affected). */
export type StreamAppendOutcome = { ok: true; result: AppendResult } | { ok: false; error: unknown };

export interface ReadStreamOptions {
  fromRevision?: number;
  /** Inclusive. */
  toRevision?: number;
  /** Only events recorded at or before this ISO time. */
  until?: string;
}

export interface ReadAllOptions {
  /** Exclusive: events strictly after this position. */
  after?: Position;
  limit?: number;
  /** Only streams whose names start with one of these prefixes, e.g. `appointment-`. */
  streamPrefixes?: string[];
}

export interface ReadAllResult {
  events: RecordedEvent[];
  /** Where the next read should continue from; may move past filtered-out events. */
  position: Position;
}

export interface EventStore {
  appendToStream(streamName: string, events: NewEvent[], options?: { expectedRevision?: ExpectedRevision }): Promise<AppendResult>;
  /**
   * Several appends made durable together (PostgreSQL: one transaction, so one commit flush for all), each judged on
   * its own as `appendToStream` would judge it: one that fails its expected revision or reuses an event id is left
   * out and reported in its place while the others are stored. Appends to the same stream apply in the order given.
   * Never rejects: a failure of the store itself is reported for every append it kept from being stored.
   * EventStoreDB has no transaction across streams: there each append is a write of its own.
   */
  appendToStreams(appends: readonly StreamAppend[]): Promise<StreamAppendOutcome[]>;
  /**
   * Events of one stream, oldest first; an empty array when the stream does not exist. `E` is what the caller
   * knows the stream holds (its event union); the store does not check it, so one type names a stream's events.
   */
  readStream<E extends EventShape = EventShape>(streamName: string, options?: ReadStreamOptions): Promise<RecordedEvent<E>[]>;
  /**
   * Events of all streams in the global order. Never skips an event that commits later with an earlier place
   * in that order: a read only returns events whose order is final.
   */
  readAll(options?: ReadAllOptions): Promise<ReadAllResult>;
  /**
   * Resolves as soon as there may be events after `position` (or after a short poll interval). Also resolves,
   * without rejecting, when `signal` aborts or the store closes: callers re-check their own loop condition.
   */
  waitForEventsAfter(position: Position, signal?: AbortSignal): Promise<void>;
  /** Negative when `a` comes before `b` in the global order, 0 when equal, positive after; `START` is first. */
  /** The position of the newest committed event now (START when there is none): where a full copy can stop. */
  headPosition(): Promise<Position>;
  comparePositions(a: Position, b: Position): number;
  close(): Promise<void>;
}

export class WrongExpectedRevisionError extends Error {
  constructor(
    readonly streamName: string,
    readonly expected: ExpectedRevision,
    readonly actual: number | 'no_stream',
  ) {
    super(`Stream ${streamName} is at revision ${actual}, expected ${expected}`);
    this.name = 'WrongExpectedRevisionError';
  }
}

/** The same event id was appended before with a different stream, revision or content. */
export class DuplicateEventIdError extends Error {
  constructor(readonly eventId: string) {
    super(`Event ${eventId} was already appended with different content or place`);
    this.name = 'DuplicateEventIdError';
  }
}
