/**
 * Preloaded into the spawned ledger (`--import`) by the command-load bench: counts the ledger's round trips to
 * PostgreSQL, and the time each took from the call to its answer, by the shape of the SQL. On SIGUSR2 it writes what
 * it has counted so far to QUERY_CENSUS_FILE (renamed into place, so the bench reads whole snapshots only). Round trips per command do not move with the machine's load the way latencies do.
 */
import { renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { PerformanceObserver, monitorEventLoopDelay } from 'node:perf_hooks';

export interface QueryShapeCount {
  calls: number;
  totalMs: number;
}

export interface QueryCensus {
  pid: number;
  /** Incremented on every snapshot, so the reader knows the file is the one it asked for. */
  snapshot: number;
  /** CPU time (user and system) the ledger's process has used so far. */
  cpuMs: number;
  byShape: Record<string, QueryShapeCount>;
  /** The read models' projector: batches committed or rolled back, and the round trips they took from BEGIN to the end. */
  projector: { batches: number; roundTrips: number };
  /** Since the snapshot before: how late the event loop ran timers (p99, max) and the garbage collector's pauses. */
  pauses: LedgerPauses;
}

export interface LedgerPauses {
  eventLoopDelayP99Ms: number;
  eventLoopDelayMaxMs: number;
  gcCount: number;
  gcTotalMs: number;
  gcMaxMs: number;
}

/** The read models' writer lock (projections/src/read-models.batch.ts): the projector takes it first in every batch. */
const WRITER_LOCK = 'pg_advisory_xact_lock(hashtextextended(';
const BATCH_END = /(^|;\s*)(COMMIT|ROLLBACK)\s*$/i;

const file = process.env.QUERY_CENSUS_FILE;
if (file) install(file);

function install(censusFile: string): void {
  const pg = createRequire(import.meta.url)('pg') as { Client: { prototype: { query: (...args: unknown[]) => unknown } } };
  const census: Omit<QueryCensus, 'pid'> = { snapshot: 0, cpuMs: 0, byShape: {}, projector: { batches: 0, roundTrips: 0 }, pauses: noPauses() };
  const loopDelay = monitorEventLoopDelay({ resolution: 10 });
  loopDelay.enable();
  let gc = noPauses();
  new PerformanceObserver((entries) => {
    for (const { duration } of entries.getEntries()) {
      gc.gcCount++;
      gc.gcTotalMs += duration;
      gc.gcMaxMs = Math.max(gc.gcMaxMs, duration);
    }
  }).observe({ entryTypes: ['gc'] });
  // Per connection: round trips of the projector batch in progress there, and whether the last text began a transaction.
  const batchOn = new WeakMap<object, number>();
  const beganOn = new WeakSet<object>();
  // Only the head and the tail of a text are looked at: the projector's batches run to many kilobytes, and scanning
  // each whole (as a first version did) made the census a visible share of the ledger's CPU it reports.
  const follow = (connection: object, text: string) => {
    if (headOf(text).includes(WRITER_LOCK)) batchOn.set(connection, beganOn.has(connection) ? 2 : 1);
    else if (batchOn.has(connection)) batchOn.set(connection, batchOn.get(connection)! + 1);
    if (batchOn.has(connection) && BATCH_END.test(text.slice(-TAIL_CHARS))) {
      census.projector.batches++;
      census.projector.roundTrips += batchOn.get(connection)!;
      batchOn.delete(connection);
    }
    if (text.length <= TAIL_CHARS && /^(START TRANSACTION|BEGIN)$/i.test(text.trim())) beganOn.add(connection);
    else beganOn.delete(connection);
  };
  const count = (shape: string, startedAt: number) => {
    const entry = (census.byShape[shape] ??= { calls: 0, totalMs: 0 });
    entry.calls++;
    entry.totalMs += performance.now() - startedAt;
  };
  const original = pg.Client.prototype.query;
  pg.Client.prototype.query = function countedQuery(this: object, ...args: unknown[]) {
    const shape = shapeOf(args[0]);
    follow(this, textOf(args[0]));
    const startedAt = performance.now();
    const callbackAt = args.findIndex((arg) => typeof arg === 'function');
    if (callbackAt >= 0) {
      const callback = args[callbackAt] as (...results: unknown[]) => void;
      args[callbackAt] = (...results: unknown[]) => {
        count(shape, startedAt);
        callback(...results);
      };
      return original.apply(this, args);
    }
    const result = original.apply(this, args);
    if (result && typeof (result as Promise<unknown>).then === 'function') {
      (result as Promise<unknown>).then(
        () => count(shape, startedAt),
        () => count(shape, startedAt),
      );
    } else {
      count(shape, startedAt);
    }
    return result;
  };
  // Written aside and renamed into place, so a reader never sees half a file.
  const write = () => {
    writeFileSync(`${censusFile}.part`, JSON.stringify({ ...census, pid: process.pid }));
    renameSync(`${censusFile}.part`, censusFile);
  };
  // The bench learns whom to signal from the file itself.
  write();
  process.on('SIGUSR2', () => {
    census.snapshot++;
    const { user, system } = process.cpuUsage();
    census.cpuMs = (user + system) / 1000;
    census.pauses = { ...gc, eventLoopDelayP99Ms: loopDelay.percentile(99) / 1e6, eventLoopDelayMaxMs: loopDelay.max / 1e6 };
    loopDelay.reset();
    gc = noPauses();
    write();
  });
}

function noPauses(): LedgerPauses {
  return { eventLoopDelayP99Ms: 0, eventLoopDelayMaxMs: 0, gcCount: 0, gcTotalMs: 0, gcMaxMs: 0 };
}

const HEAD_CHARS = 1_000;
const TAIL_CHARS = 40;
const SHAPES_REMEMBERED = 5_000;
const shapes = new Map<string, string>();

function headOf(text: string): string {
  return text.length > HEAD_CHARS ? text.slice(0, HEAD_CHARS) : text;
}

/**
 * The SQL's first words with literals and whitespace runs folded, so one statement of many parameters is one shape.
 * Remembered per text up to the head's length (parameterised statements are the same few texts; the projector's
 * batches, with their values written in, are each new and would only fill the memory).
 */
function shapeOf(query: unknown): string {
  const head = headOf(textOf(query));
  const known = shapes.get(head);
  if (known !== undefined) return known;
  const shape = head
    .replace(/\s+/g, ' ')
    .replace(/'[^']*'/g, "'…'")
    .trim()
    .slice(0, 120);
  if (head.length < HEAD_CHARS && shapes.size < SHAPES_REMEMBERED) shapes.set(head, shape);
  return shape;
}

function textOf(query: unknown): string {
  if (typeof query === 'string') return query;
  return typeof (query as { text?: unknown })?.text === 'string' ? (query as { text: string }).text : '(not SQL text)';
}

/** What happened between two snapshots: calls and time per shape, busiest first. */
export function censusBetween(before: QueryCensus, after: QueryCensus): [string, QueryShapeCount][] {
  return Object.entries(after.byShape)
    .map(([shape, { calls, totalMs }]): [string, QueryShapeCount] => [
      shape,
      { calls: calls - (before.byShape[shape]?.calls ?? 0), totalMs: totalMs - (before.byShape[shape]?.totalMs ?? 0) },
    ])
    .filter(([, { calls }]) => calls > 0)
    .sort(([, a], [, b]) => b.calls - a.calls);
}
