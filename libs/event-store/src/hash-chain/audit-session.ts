import type { Position } from '../event-store.port.js';

/** A stored event as the hash chain sees it: everything its hash covers, its place, and the hash that was stored. */
export interface AuditedEvent {
  position: Position;
  eventId: string;
  streamName: string;
  revision: number;
  type: string;
  data: unknown;
  metadata: Record<string, unknown>;
  recordedAt: string;
  /** null when the store holds none (an unchained or stripped event). */
  hash: string | null;
}

/** The head hash of the global order at a position: the fold of every event hash up to and including it. */
export interface Anchor {
  position: Position;
  headHash: string;
  eventCount: number;
  reason: string;
  createdAt: string;
}

export interface StreamHead {
  streamName: string;
  revision: number;
  hash: string | null;
}

/** One consistent view of a store (one snapshot), as a verify run or an export needs it. */
export interface AuditSession {
  /** Pages of events strictly after `after`, up to and including `until` (null: to the end), in the global order. */
  scan(after: Position, until: Position | null): AsyncIterable<AuditedEvent[]>;
  /** The stored hash of one event; undefined when there is no such event. */
  storedHash(streamName: string, revision: number): Promise<string | null | undefined>;
  anchors(): Promise<Anchor[]>;
  /** What the store says each stream's last event is, when it keeps that apart from the events (null: it does not). */
  streamHeads(): AsyncIterable<StreamHead[]> | null;
  comparePositions(a: Position, b: Position): number;
}
