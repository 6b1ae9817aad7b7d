import type { EventMetadata } from '../event-store.port.js';

/**
 * Our metadata under EventStoreDB's conventions: correlation and causation ids in `$correlationId` and
 * `$causationId`, which the server's projections and UI understand; every other field as it is.
 * `originalRecordedAt` carries the time an event was first recorded when `events:copy` moves it from another
 * store: EventStoreDB stamps its own `created` and offers no way to set it. New appends carry it too: the recording
 * time is part of the event's hash, which is computed before the server sees the event.
 */
export interface StoredMetadata {
  $correlationId: string;
  $causationId?: string;
  originalRecordedAt?: string;
  /** The event's place in the hash chain (hash-chain/event-hash.ts), as the PostgreSQL store keeps it in a column. */
  ledgerHash?: string;
  [key: string]: unknown;
}

export class UnreadableEventError extends Error {
  constructor(
    readonly eventId: string,
    readonly streamName: string,
    reason: string,
  ) {
    super(`Event ${eventId} in ${streamName} is not a ledger event: ${reason}`);
    this.name = 'UnreadableEventError';
  }
}

export function toStoredMetadata(metadata: EventMetadata, originalRecordedAt?: string, ledgerHash?: string): StoredMetadata {
  const { correlationId, causationId, ...rest } = metadata;
  const stored: StoredMetadata = { ...rest, $correlationId: correlationId };
  if (causationId !== null && causationId !== undefined) stored.$causationId = causationId;
  if (originalRecordedAt !== undefined) stored.originalRecordedAt = originalRecordedAt;
  if (ledgerHash !== undefined) stored.ledgerHash = ledgerHash;
  return stored;
}

export interface ReadMetadata {
  metadata: EventMetadata;
  originalRecordedAt: string | null;
  ledgerHash: string | null;
}

export function fromStoredMetadata(stored: unknown, event: { id: string; streamName: string }): ReadMetadata {
  if (stored === null || typeof stored !== 'object' || Array.isArray(stored) || stored instanceof Uint8Array) {
    throw new UnreadableEventError(event.id, event.streamName, 'its metadata is not a JSON object');
  }
  const { $correlationId, $causationId, originalRecordedAt, ledgerHash, ...rest } = stored as StoredMetadata;
  if (typeof $correlationId !== 'string') {
    throw new UnreadableEventError(event.id, event.streamName, 'its metadata has no $correlationId');
  }
  const metadata = { ...rest, correlationId: $correlationId, causationId: $causationId ?? null } as EventMetadata;
  return {
    metadata,
    originalRecordedAt: typeof originalRecordedAt === 'string' ? originalRecordedAt : null,
    ledgerHash: typeof ledgerHash === 'string' ? ledgerHash : null,
  };
}
