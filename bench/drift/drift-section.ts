import type { BenchServer } from '../bench-server.js';
import { measureDriftCheck, type DriftCheckFigure } from './drift-check.bench.js';

/** The drift check section of `npm run bench`: 10,000 bookings at scale 1 (never fewer than 1,000). */
export async function measureDriftSection(server: BenchServer, scale: number, log: (line: string) => void): Promise<DriftCheckFigure> {
  const bookings = Math.max(1_000, Math.round(10_000 * scale));
  const databaseUrl = await server.createDatabase('bench_drift');
  return measureDriftCheck(databaseUrl, { bookings, runs: 3, silentEdits: 100, laterEdits: 50 }, log);
}

export function formatDriftFigure(figure: DriftCheckFigure): string {
  const { median, min, max } = figure.fullCheckMs;
  const verdict = median <= figure.targetMs ? 'meets' : 'misses';
  return [
    '',
    `Drift check against the Cal.com sandbox over HTTP (rate limit lifted), ${figure.bookings.toLocaleString('en-US')} bookings ` +
      `and ${figure.appointments.toLocaleString('en-US')} appointments, ${figure.pages} pages of ${figure.pageSize}:`,
    `  full check       median ${median} ms (min ${min}, max ${max}); ${verdict} the ${figure.targetMs / 1000} s target; ${figure.driftFound} drift items found`,
    `  incremental      ${figure.incrementalCheckMs} ms, reading the ${figure.incrementalBookingsRead} bookings changed since the last check`,
    `  at Cal.com's 120 requests/min the ${figure.pages} pages alone take at least ${figure.realCalcomMinimumSeconds} s: the target is about our own cost`,
  ].join('\n');
}
