import type { Position } from '#event-store';
import type { BlockedFactRow } from '#projections';

interface Waiting {
  factStream: string;
  /** Where the fact was received: the lane is released in this order. */
  receivedAt: Position | null;
}

/**
 * The booking lanes a failed fact holds: its booking uids, and the facts of those bookings that came after it and wait
 * behind it, in store order. A waiting fact's own uids join the lane, so a booking linked through it (the new uid of
 * a reschedule) waits too. Held in memory by the translator; the durable record is each fact's outcome (`failed`,
 * or `waiting` with `waitsFor`), from which `load` rebuilds it after a restart.
 */
export class BlockedLanes {
  private readonly blockerOfUid = new Map<string, string>();
  private readonly lanes = new Map<string, { uids: Set<string>; waiting: Waiting[] }>();
  private readonly waitingFacts = new Set<string>();

  constructor(private readonly comparePositions: (a: Position, b: Position) => number) {}

  /** Replaces what is held with the read model's failed and waiting facts. */
  load(rows: readonly BlockedFactRow[]): void {
    this.blockerOfUid.clear();
    this.lanes.clear();
    this.waitingFacts.clear();
    const uidsOf = (row: BlockedFactRow) => [row.bookingUid, row.previousBookingUid].filter((uid): uid is string => uid !== null);
    for (const row of rows) if (row.outcome === 'failed') this.fail(row.factStream, uidsOf(row));
    for (const row of rows) {
      if (row.outcome !== 'waiting' || !row.waitsFor) continue;
      // Behind a fact that is no longer failed: its retry went through and a crash cut the release short. The
      // retry request is then still ahead of the checkpoint, and its replay releases this lane.
      if (!this.lanes.has(row.waitsFor)) this.lanes.set(row.waitsFor, { uids: new Set(), waiting: [] });
      this.wait(row.factStream, uidsOf(row), row.waitsFor, row.receivedPosition);
    }
  }

  /** The failed fact any of these uids waits behind, if any. */
  blockerOf(uids: readonly string[]): string | null {
    for (const uid of uids) {
      const blocker = this.blockerOfUid.get(uid);
      if (blocker) return blocker;
    }
    return null;
  }

  /** Whether the fact is failed or waiting: its outcome stands until a retry releases it. */
  holds(factStream: string): boolean {
    return this.lanes.has(factStream) || this.waitingFacts.has(factStream);
  }

  fail(factStream: string, uids: readonly string[]): void {
    const lane = this.lanes.get(factStream) ?? { uids: new Set<string>(), waiting: [] };
    this.lanes.set(factStream, lane);
    this.waitingFacts.delete(factStream);
    for (const uid of uids) this.blockUid(uid, factStream, lane.uids);
  }

  wait(factStream: string, uids: readonly string[], blocker: string, receivedAt: Position | null): void {
    const lane = this.lanes.get(blocker);
    if (!lane || this.waitingFacts.has(factStream)) return;
    this.waitingFacts.add(factStream);
    for (const uid of uids) this.blockUid(uid, blocker, lane.uids);
    const after = lane.waiting.findIndex((other) => this.before({ factStream, receivedAt }, other));
    lane.waiting.splice(after === -1 ? lane.waiting.length : after, 0, { factStream, receivedAt });
  }

  /** The failed fact went through: its uids are free, and the facts that waited behind it are returned, oldest first. */
  release(factStream: string): string[] {
    const lane = this.lanes.get(factStream);
    if (!lane) return [];
    this.lanes.delete(factStream);
    for (const uid of lane.uids) if (this.blockerOfUid.get(uid) === factStream) this.blockerOfUid.delete(uid);
    for (const waiting of lane.waiting) this.waitingFacts.delete(waiting.factStream);
    return lane.waiting.map((waiting) => waiting.factStream);
  }

  private blockUid(uid: string, blocker: string, laneUids: Set<string>): void {
    if (this.blockerOfUid.has(uid)) return;
    this.blockerOfUid.set(uid, blocker);
    laneUids.add(uid);
  }

  private before(a: Waiting, b: Waiting): boolean {
    if (a.receivedAt === null || b.receivedAt === null) return false;
    return this.comparePositions(a.receivedAt, b.receivedAt) < 0;
  }
}
