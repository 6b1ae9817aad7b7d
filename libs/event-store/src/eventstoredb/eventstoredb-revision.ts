import { ANY, NO_STREAM, type AppendExpectedRevision, type CurrentRevision } from '@eventstore/db-client';
import type { ExpectedRevision } from '../event-store.port.js';

/** The port's expected revision in the client's terms: the same 0-based numbering, as bigint. */
export function toEsdbExpectedRevision(expected: ExpectedRevision): AppendExpectedRevision {
  if (expected === 'no_stream') return NO_STREAM;
  if (expected === 'any') return ANY;
  if (!Number.isSafeInteger(expected) || expected < 0) {
    throw new RangeError(`Expected revision must be a non-negative integer, 'no_stream' or 'any', got ${expected}`);
  }
  return BigInt(expected);
}

/** A stream revision the server reports, as the port's number (or 'no_stream' for a missing stream). */
export function toPortRevision(revision: CurrentRevision | bigint): number | 'no_stream' {
  if (revision === NO_STREAM || revision < 0n) return 'no_stream';
  if (revision > BigInt(Number.MAX_SAFE_INTEGER)) throw new RangeError(`Stream revision ${revision} exceeds Number's safe range`);
  return Number(revision);
}
