import { START, type Position } from '../event-store.port.js';

/**
 * A place in the PostgreSQL global order: the committing transaction first, then the insertion sequence.
 * Ordering by transaction id is what makes the order gap-safe (see readAll); both parts are kept as
 * bigint because xid8 and bigserial outgrow Number's safe range.
 */
export interface PostgresPosition {
  transactionId: bigint;
  globalPosition: bigint;
}

const START_PLACE: PostgresPosition = { transactionId: 0n, globalPosition: 0n };
const FORMAT = /^(\d+):(\d+)$/;

export class InvalidPositionError extends Error {
  constructor(readonly position: string) {
    super(`"${position}" is not a position of the PostgreSQL event store`);
    this.name = 'InvalidPositionError';
  }
}

export function encodePosition(transactionId: bigint | string, globalPosition: bigint | string): Position {
  return `${transactionId}:${globalPosition}`;
}

export function decodePosition(position: Position): PostgresPosition {
  if (position === START) return START_PLACE;
  const match = FORMAT.exec(position);
  if (!match) throw new InvalidPositionError(position);
  return { transactionId: BigInt(match[1]), globalPosition: BigInt(match[2]) };
}

export function comparePostgresPositions(a: Position, b: Position): number {
  const left = decodePosition(a);
  const right = decodePosition(b);
  if (left.transactionId !== right.transactionId) return left.transactionId < right.transactionId ? -1 : 1;
  if (left.globalPosition !== right.globalPosition) return left.globalPosition < right.globalPosition ? -1 : 1;
  return 0;
}
