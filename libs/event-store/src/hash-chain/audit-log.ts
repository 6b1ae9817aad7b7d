import type { Position } from '../event-store.port.js';
import type { Anchor, AuditSession } from './audit-session.js';

/** What auditors need from a backend that keeps the hash chain: snapshots to verify or export, and anchors. */
export interface AuditLog {
  withSession<T>(work: (session: AuditSession) => Promise<T>): Promise<T>;
  /** Newest first. */
  anchors(limit: number): Promise<Anchor[]>;
  /** A new anchor over everything settled since the last one; the newest anchor when nothing is new; null when empty. */
  takeAnchor(reason: string): Promise<Anchor | null>;
  /** A time as a place in the global order (see PostgresAuditLog.positionAtTime). */
  positionAtTime(time: string, bound: 'from' | 'to'): Promise<Position | null>;
  /** The text as one of this backend's positions, or null when it is not one. */
  parsePosition(text: string): Position | null;
}
