import type { Position as EsdbPosition } from '@eventstore/db-client';
import { START, type Position } from '../event-store.port.js';

/**
 * A place in EventStoreDB's transaction log, as `"<commit>/<prepare>"`. Both parts stay bigint: log positions
 * are byte offsets and outgrow Number's safe range on a large database. The separator differs from PostgreSQL's
 * `:` so that a checkpoint taken on one backend is refused by the other instead of being misread.
 */
const FORMAT = /^(\d+)\/(\d+)$/;

export class InvalidEventStoreDbPositionError extends Error {
  constructor(readonly position: string) {
    super(`"${position}" is not a position of the EventStoreDB event store`);
    this.name = 'InvalidEventStoreDbPositionError';
  }
}

export function encodeEsdbPosition({ commit, prepare }: EsdbPosition): Position {
  return `${commit}/${prepare}`;
}

/** `null` for START, which the client spells as its own `START` constant. */
export function decodeEsdbPosition(position: Position): EsdbPosition | null {
  if (position === START) return null;
  const match = FORMAT.exec(position);
  if (!match) throw new InvalidEventStoreDbPositionError(position);
  return { commit: BigInt(match[1]), prepare: BigInt(match[2]) };
}

export function compareEsdbPositions(a: Position, b: Position): number {
  const left = decodeEsdbPosition(a);
  const right = decodeEsdbPosition(b);
  if (left === null || right === null) return left === right ? 0 : left === null ? -1 : 1;
  if (left.commit !== right.commit) return left.commit < right.commit ? -1 : 1;
  if (left.prepare !== right.prepare) return left.prepare < right.prepare ? -1 : 1;
  return 0;
}

export function laterEsdbPosition(a: Position, b: Position): Position {
  return compareEsdbPositions(a, b) >= 0 ? a : b;
}
