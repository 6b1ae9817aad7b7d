import type { LoggerService } from '@nestjs/common';
import { WaitUntilProcessedTimeoutError } from '../../../libs/event-store/src/catch-up-subscription.js';
import type { Position } from '../../../libs/event-store/src/event-store.port.js';
import type { Projector } from '../../../projections/src/projector.js';

/**
 * After a write, wait until the read models show it, so the caller's next read does. If they lag longer than the
 * timeout the write still stands (it is in the event store): answer anyway and say so in the log, rather than turn
 * a stored change into an error the client would retry.
 */
export function readYourWrites(projector: Projector, timeoutMs: number, logger: LoggerService | false): (position: Position) => Promise<void> {
  return async (position) => {
    try {
      await projector.waitUntilProcessed(position, timeoutMs);
    } catch (error) {
      if (!(error instanceof WaitUntilProcessedTimeoutError)) throw error;
      if (logger) logger.warn(`Read models lag: ${error.message}; answering without them`, 'ReadYourWrites');
    }
  };
}
