import { START, type Position } from '../event-store.port.js';
import type { Anchor, AuditedEvent, AuditSession } from './audit-session.js';
import { eventHash, foldHead, GENESIS_HEAD } from './event-hash.js';

export type ChainProblemKind = 'changed' | 'deleted' | 'inserted' | 'reordered' | 'anchor-mismatch';

export interface ChainProblem {
  kind: ChainProblemKind;
  message: string;
  /** The first event that does not match (null when the problem is an anchor no event can be blamed for alone). */
  event: { position: Position; eventId: string; streamName: string; revision: number; type: string } | null;
  anchor: { position: Position; expectedHeadHash: string; foundHeadHash: string } | null;
}

export interface VerifyOptions {
  /** Exclusive start; the run starts at the last stored anchor at or before it, so that its anchors can be checked. */
  from?: Position;
  /** Inclusive end. */
  to?: Position;
  /** An anchor kept outside the ledger: the run starts at START and must reproduce its hash at its position. */
  anchor?: { position: Position; headHash: string };
  onProgress?: (checkedEvents: number) => void;
}

export interface VerifyReport {
  intact: boolean;
  /** Where the run started (exclusive) and the last event it checked. */
  startedAfter: Position;
  lastChecked: Position | null;
  checkedEvents: number;
  anchorsChecked: number;
  head: { hash: string; eventCount: number };
  problem: ChainProblem | null;
}

const PROGRESS_EVERY = 10_000;

interface Expectation {
  position: Position;
  headHash: string;
  eventCount: number | null;
  label: string;
}

/**
 * Re-checks the chain: every event's hash against its content, place and the previous hash of its stream; the
 * revisions of each stream without gaps and in order; the fold of all hashes in the global order against each anchor
 * on the way (stored ones, and the caller's). Stops at the first problem and names it.
 */
export async function verifyChain(session: AuditSession, options: VerifyOptions = {}): Promise<VerifyReport> {
  const compare = (a: Position, b: Position) => session.comparePositions(a, b);
  const stored = (await session.anchors()).sort((a, b) => compare(a.position, b.position));
  const start = startingAnchor(stored, options, compare);
  const expectations: Expectation[] = stored
    .filter((anchor) => start === null || compare(anchor.position, start.position) > 0)
    .map((anchor) => ({ position: anchor.position, headHash: anchor.headHash, eventCount: anchor.eventCount, label: `anchor at ${anchor.position} (${anchor.createdAt})` }));
  if (options.anchor) expectations.push({ ...options.anchor, eventCount: null, label: `the given anchor ${options.anchor.position}` });
  expectations.sort((a, b) => compare(a.position, b.position));

  const state = new RunState(start);
  const streams = new Map<string, { revision: number; hash: string }>();
  const scanAfter = start?.position ?? START;
  const fail = (problem: ChainProblem) => state.report(scanAfter, problem);

  for await (const page of session.scan(scanAfter, options.to ?? null)) {
    for (const event of page) {
      for (; expectations.length > 0 && compare(expectations[0].position, event.position) < 0; state.anchorsChecked++) {
        const problem = state.check(expectations.shift()!);
        if (problem) return fail(problem);
      }
      const previous = streams.get(event.streamName) ?? (await previousInStream(session, event, start === null));
      const problem = checkEvent(event, previous);
      if (problem) return fail(problem);
      streams.set(event.streamName, { revision: event.revision, hash: event.hash! });
      state.add(event);
      if (state.checkedEvents % PROGRESS_EVERY === 0) options.onProgress?.(state.checkedEvents);
    }
  }
  const reachable = expectations.filter((expectation) => options.to === undefined || compare(expectation.position, options.to) <= 0);
  for (const expectation of reachable) {
    const problem = state.check(expectation);
    if (problem) return fail(problem);
    state.anchorsChecked++;
  }
  if (options.from === undefined && options.to === undefined) {
    const problem = await checkStreamHeads(session, streams);
    if (problem) return fail(problem);
  }
  return state.report(scanAfter, null);
}

function startingAnchor(stored: Anchor[], options: VerifyOptions, compare: (a: Position, b: Position) => number): Anchor | null {
  if (options.from === undefined || options.anchor) return null;
  const from = options.from;
  return stored.filter((anchor) => compare(anchor.position, from) <= 0).at(-1) ?? null;
}

class RunState {
  head: string;
  eventCount: number;
  checkedEvents = 0;
  anchorsChecked = 0;
  lastChecked: Position | null = null;

  constructor(start: Anchor | null) {
    this.head = start?.headHash ?? GENESIS_HEAD;
    this.eventCount = start?.eventCount ?? 0;
  }

  add(event: AuditedEvent): void {
    this.head = foldHead(this.head, event.hash!);
    this.eventCount++;
    this.checkedEvents++;
    this.lastChecked = event.position;
  }

  check(expectation: Expectation): ChainProblem | null {
    const countMatches = expectation.eventCount === null || expectation.eventCount === this.eventCount;
    if (this.head === expectation.headHash && countMatches) return null;
    return {
      kind: 'anchor-mismatch',
      message:
        `the events up to ${expectation.label} no longer fold to its head hash (${this.eventCount} events now, ` +
        `${expectation.eventCount ?? 'unknown'} then): events before it were rewritten, deleted, inserted or reordered`,
      event: null,
      anchor: { position: expectation.position, expectedHeadHash: expectation.headHash, foundHeadHash: this.head },
    };
  }

  report(startedAfter: Position, problem: ChainProblem | null): VerifyReport {
    return {
      intact: problem === null,
      startedAfter,
      lastChecked: this.lastChecked,
      checkedEvents: this.checkedEvents,
      anchorsChecked: this.anchorsChecked,
      head: { hash: this.head, eventCount: this.eventCount },
      problem,
    };
  }
}

/** Scanning from the very start, a stream's first event must be revision 0; from an anchor, the stored one before. */
async function previousInStream(session: AuditSession, event: AuditedEvent, fromStart: boolean): Promise<{ revision: number; hash: string | null } | null> {
  if (fromStart || event.revision === 0) return null;
  const hash = await session.storedHash(event.streamName, event.revision - 1);
  return hash === undefined ? null : { revision: event.revision - 1, hash };
}

function checkEvent(event: AuditedEvent, previous: { revision: number; hash: string | null } | null): ChainProblem | null {
  const expectedRevision = previous === null ? 0 : previous.revision + 1;
  const blame = { position: event.position, eventId: event.eventId, streamName: event.streamName, revision: event.revision, type: event.type };
  if (event.revision > expectedRevision) {
    return {
      kind: 'deleted',
      message: `${event.streamName} goes from revision ${expectedRevision - 1} to ${event.revision}: revision ${expectedRevision} is missing (deleted, or moved later in the order)`,
      event: blame,
      anchor: null,
    };
  }
  if (event.revision < expectedRevision) {
    return {
      kind: 'reordered',
      message: `${event.streamName} revision ${event.revision} comes after revision ${expectedRevision - 1} in the global order`,
      event: blame,
      anchor: null,
    };
  }
  const recomputed = eventHash(
    { eventId: event.eventId, streamName: event.streamName, type: event.type, data: event.data, metadata: event.metadata },
    { revision: event.revision, recordedAt: event.recordedAt, previousHash: previous?.hash ?? null },
  );
  if (event.hash === recomputed) return null;
  return {
    kind: 'changed',
    message:
      event.hash === null
        ? 'the event has no hash (inserted outside the store, or its hash was removed)'
        : "the stored hash does not match the event's content, place and time with the previous event of its stream (changed, or inserted)",
    event: blame,
    anchor: null,
  };
}

/** A stream whose last events were deleted leaves no gap behind: the store's own note of its head shows it. */
async function checkStreamHeads(session: AuditSession, seen: Map<string, { revision: number; hash: string }>): Promise<ChainProblem | null> {
  const heads = session.streamHeads();
  if (heads === null) return null;
  const named = new Set<string>();
  for await (const page of heads) {
    for (const head of page) {
      named.add(head.streamName);
      const last = seen.get(head.streamName);
      if (last?.revision === head.revision && last.hash === head.hash) continue;
      const kind = last === undefined || last.revision < head.revision ? 'deleted' : 'inserted';
      return {
        kind,
        message:
          `${head.streamName} was last appended at revision ${head.revision} with hash ${head.hash ?? 'none'}, ` +
          `but its last event now is ${last ? `revision ${last.revision} with hash ${last.hash}` : 'missing'}`,
        event: null,
        anchor: null,
      };
    }
  }
  for (const [streamName, last] of seen) {
    if (!named.has(streamName)) {
      return { kind: 'inserted', message: `${streamName} (up to revision ${last.revision}) was never appended through the store`, event: null, anchor: null };
    }
  }
  return null;
}
