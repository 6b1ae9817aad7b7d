import { startSandbox } from '#calcom-sandbox';
import { defaultDriftSettings } from '../../apps/ledger/src/drift/drift.config.js';
import { startDrift } from '../../apps/ledger/src/drift/start-drift.js';
import { CalcomClient } from '#calcom';
import { driftOnly } from '#domain';
import { openEventStore } from '#event-store';
import { openReadModel, rebuildReadModels } from '#projections';
import { benchCatalog, seedBookings, seedLedger } from './drift-seed.js';

export interface DriftBenchSettings {
  bookings: number;
  /** Measured full checks (after one unmeasured). */
  runs: number;
  /** Bookings moved silently on Cal.com before the full checks: what each must find. */
  silentEdits: number;
  /** Bookings moved silently after them: what the incremental check reads, and adds to the report. */
  laterEdits: number;
}

export interface DriftCheckFigure {
  bookings: number;
  appointments: number;
  pageSize: number;
  pages: number;
  /** Wall time of one full check: read every page, read the ledger side, compare, record. */
  fullCheckMs: { median: number; min: number; max: number };
  /** An incremental check after `laterEdits` more changes: reads only those bookings. */
  incrementalCheckMs: number;
  incrementalBookingsRead: number;
  driftFound: number;
  targetMs: number;
  /** At Cal.com's 120 requests per minute, the pages alone take at least this long. */
  realCalcomMinimumSeconds: number;
}

const PAGE_SIZE = 250;
const TARGET_MS = 10_000;

/**
 * A drift check over `bookings` bookings against the sandbox over HTTP, pages of 250, with the sandbox's rate limit
 * lifted: what the check itself costs (Cal.com's own limit is reported, not waited for).
 */
export async function measureDriftCheck(databaseUrl: string, settings: DriftBenchSettings, log: (line: string) => void): Promise<DriftCheckFigure> {
  const sandbox = await startSandbox({ port: 0, catalog: benchCatalog() });
  const eventStore = await openEventStore({ postgresUrl: databaseUrl });
  const readModel = await openReadModel(databaseUrl);
  const client = new CalcomClient({ apiUrl: sandbox.url, apiKey: sandbox.apiKey, rateLimitPerMinute: Infinity, timeoutMs: 60_000 });
  try {
    await fetch(`${sandbox.url}/_sandbox/faults`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ rateLimitPerMinute: 1_000_000 }) });
    log(`drift check: seeding ${settings.bookings} bookings on the sandbox and the ledger…`);
    const bookings = await seedBookings(sandbox.url, settings.bookings, 85);
    await seedLedger(eventStore.store, bookings);
    await rebuildReadModels(eventStore.store, readModel);
    const moveSilently = async (from: number, count: number) => {
      for (const booking of bookings.slice(from, from + count)) {
        const start = new Date(Date.parse(booking.start) + 15 * 60_000).toISOString();
        await fetch(`${sandbox.url}/_sandbox/bookings/${booking.uid}`, { method: 'PATCH', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ start }) });
      }
    };
    await moveSilently(0, settings.silentEdits);
    const drift = startDrift({
      // No overlap: the incremental check reads exactly what changed after the previous check started.
      settings: { ...defaultDriftSettings, heal: 'report', incrementalOverlapMs: 0 },
      store: eventStore.store,
      readModel,
      waitForReadModel: async () => undefined,
      calcom: client,
      schedule: false,
      logger: false,
    });
    const reconciler = drift.reconciler!;
    await reconciler.check('full', 'cli');
    const timings: number[] = [];
    let last;
    for (let run = 0; run < settings.runs; run++) {
      const startedAt = performance.now();
      last = await reconciler.check('full', 'cli');
      timings.push(Math.round(performance.now() - startedAt));
      log(`drift check: full check ${run + 1}/${settings.runs} in ${timings.at(-1)} ms (${last.check.pages} pages)`);
    }
    const driftFound = driftOnly(last!.check.items).length;
    if (driftFound !== settings.silentEdits) throw new Error(`the check found ${driftFound} drift items, not the ${settings.silentEdits} made`);
    await moveSilently(settings.silentEdits, settings.laterEdits);
    const incrementalStartedAt = performance.now();
    const incremental = await reconciler.check('incremental', 'cli');
    const incrementalCheckMs = Math.round(performance.now() - incrementalStartedAt);
    const expected = settings.silentEdits + settings.laterEdits;
    if (driftOnly(incremental.check.items).length !== expected)
      throw new Error(`the incremental check left ${driftOnly(incremental.check.items).length} drift items, not ${expected}`);
    const sorted = [...timings].sort((a, b) => a - b);
    return {
      bookings: last!.check.checked.calcom,
      appointments: last!.check.checked.ledger,
      pageSize: PAGE_SIZE,
      pages: last!.check.pages,
      fullCheckMs: { median: sorted[Math.floor(sorted.length / 2)], min: sorted[0], max: sorted.at(-1)! },
      incrementalCheckMs,
      incrementalBookingsRead: incremental.check.checked.calcom,
      driftFound,
      targetMs: TARGET_MS,
      realCalcomMinimumSeconds: Math.ceil(last!.check.pages / 2),
    };
  } finally {
    client.close();
    await readModel.destroy();
    await eventStore.close();
    await sandbox.close();
  }
}
