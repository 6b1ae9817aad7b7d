import type { Position } from './event-store.port.js';

/** What a subscription is stuck on while its handler (or the store) keeps failing. */
export interface SubscriptionFailure {
  subscription: string;
  phase: 'read' | 'wait' | 'handle' | 'park';
  /** The last position handled: everything up to here is done. */
  position: Position;
  /** The one event it retries once narrowed down to it; null while it retries a whole batch (or reads). */
  event: EventInTrouble | null;
  error: string;
  /** Consecutive failed attempts at this step. */
  attempts: number;
  /** ISO time of the first of them. */
  since: string;
}

export interface EventInTrouble {
  position: Position;
  eventId: string;
  streamName: string;
  eventType: string;
  revision: number;
}

/** An event a handler failed on every time: recorded, then moved past, so the events after it are handled. */
export interface ParkedEvent extends EventInTrouble {
  subscription: string;
  /** The checkpoint just before it: a subscription started from here handles it again. */
  resumeFrom: Position;
  error: string;
  attempts: number;
  parkedAt: string;
}

/**
 * Where a subscription reports its trouble, so it outlives the process and other instances see it. `parked` must be
 * durable when it resolves (the checkpoint moves past the event next) and idempotent per subscription and position
 * (a crash before that checkpoint parks the event again).
 */
export interface SubscriptionIncidentLog {
  failing(failure: SubscriptionFailure): Promise<void>;
  recovered(subscription: string): Promise<void>;
  parked(event: ParkedEvent): Promise<void>;
}

const OUTAGE_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', '57P01', '57P02', '57P03', '53300', '40001', '40P01']);
const OUTAGE_MESSAGE = /Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error/i;
const WAITING_ERRORS = new Set(['WaitUntilProcessedTimeoutError', 'SubscriptionStoppedError']);

/**
 * A failure that says nothing about the event: the database or a peer is away, a lock or a wait timed out. Such a
 * failure is waited out (reported, retried for as long as it lasts), never a reason to park an event: parking during
 * an outage would skip healthy events.
 */
export function isOutage(error: unknown): boolean {
  for (let current: unknown = error, depth = 0; current && typeof current === 'object' && depth < 5; depth++) {
    const { code, name, message } = current as { code?: unknown; name?: unknown; message?: unknown };
    if (typeof code === 'string' && (OUTAGE_CODES.has(code) || code.startsWith('08'))) return true;
    if (typeof name === 'string' && WAITING_ERRORS.has(name)) return true;
    if (typeof message === 'string' && OUTAGE_MESSAGE.test(message)) return true;
    const wrapped = current as { driverError?: unknown; cause?: unknown };
    current = wrapped.driverError ?? wrapped.cause;
  }
  return false;
}

const UNSTORABLE = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** The error's message, short and storable (PostgreSQL text refuses NUL and lone surrogates, which a message can quote). */
export function describeError(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  // Cut first: the cut may split a surrogate pair, which the replacement then mends.
  return (message.length > 2_000 ? `${message.slice(0, 2_000)}…` : message).replace(UNSTORABLE, '\uFFFD');
}
