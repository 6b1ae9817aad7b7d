import type { LoggerService } from '@nestjs/common';
import { ReadModelBehindError } from '#domain';
import { SubscriptionStoppedError, WaitUntilProcessedTimeoutError, type EventStore, type Position, START } from '#event-store';
import type { Projector } from '#projections';

/**
 * After a write, wait until the read models show it, so the caller's next read does. If they lag longer than the
 * timeout, or the projector stops meanwhile, the write still stands (it is in the event store): answer anyway and
 * say so in the log, rather than turn a stored change into an error the client would retry. Nothing may decide on
 * the read models on the strength of this wait: a decision that reads them waits with `readModelsCaughtUp` first.
 */
export function readYourWrites(projector: Projector, timeoutMs: number, logger: LoggerService | false): (position: Position) => Promise<void> {
  return async (position) => {
    try {
      await projector.waitUntilProcessed(position, timeoutMs);
    } catch (error) {
      if (!(error instanceof WaitUntilProcessedTimeoutError || error instanceof SubscriptionStoppedError)) throw error;
      if (logger) logger.warn(`Read models lag: ${error.message}; answering without them`, 'ReadYourWrites');
    }
  };
}

/** Resolves once the read models include every event committed before the call; see `readModelsCaughtUp`. */
export type ReadModelsCaughtUp = (timeoutMs: number, staffIds: readonly string[]) => Promise<void>;

/**
 * Before a decision that reads the read models (the staff calendar): wait until they have applied everything up to
 * the event store's head (one cheap query), or fail closed with ReadModelBehindError. Called under the staff lock,
 * the head includes every change an earlier holder made, whether or not its own wait for the read models ended in
 * time: a stopped or lagging projector refuses bookings instead of letting two overlap.
 */
export function readModelsCaughtUp(projector: Projector, store: EventStore): ReadModelsCaughtUp {
  return async (timeoutMs, staffIds) => {
    const started = Date.now();
    const head = await store.headPosition();
    if (head === START) return;
    try {
      await projector.waitUntilProcessed(head, Math.max(0, timeoutMs));
    } catch (error) {
      if (!(error instanceof WaitUntilProcessedTimeoutError || error instanceof SubscriptionStoppedError)) throw error;
      throw new ReadModelBehindError({ staffIds, readModelPosition: projector.position, storeHead: head, waitedMs: Date.now() - started });
    }
  };
}
