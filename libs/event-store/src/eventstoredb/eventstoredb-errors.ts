import { WrongExpectedVersionError } from '@eventstore/db-client';
import { WrongExpectedRevisionError, type ExpectedRevision } from '../event-store.port.js';
import { toPortRevision } from './eventstoredb-revision.js';

/** The client's errors that mean something to the port, as the port's errors; anything else as it came. */
export function toPortError(error: unknown, streamName: string, expected: ExpectedRevision): unknown {
  if (error instanceof WrongExpectedVersionError) {
    return new WrongExpectedRevisionError(streamName, expected, toPortRevision(error.actualVersion));
  }
  return error;
}
