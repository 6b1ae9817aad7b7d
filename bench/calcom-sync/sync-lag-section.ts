import type { BenchServer } from '../bench-server.js';
import { measureSyncLag, type SyncLagFigure } from './sync-lag.bench.js';

export const SYNC_LAG_TARGETS = { p50Ms: 50, p99Ms: 250 };

/** The sync lag section of `npm run bench`: 400 appointments at scale 1 (never fewer than 100), 20 commands/s. */
export async function measureSyncLagSection(server: BenchServer, scale: number, log: (line: string) => void): Promise<SyncLagFigure> {
  const appointments = Math.max(100, Math.round(400 * scale));
  const databaseUrl = await server.createDatabase('bench_sync_lag');
  return measureSyncLag(databaseUrl, { ratePerSecond: 20, appointments, warmUpAppointments: 40 }, log);
}

export function formatSyncLagFigure(figure: SyncLagFigure): string {
  const verdict = figure.p50Ms < SYNC_LAG_TARGETS.p50Ms && figure.p99Ms < SYNC_LAG_TARGETS.p99Ms ? 'meets' : 'misses';
  const round = (lag: { p50Ms: number; p99Ms: number; maxMs: number }) => ({ ...lag, p50Ms: Math.round(lag.p50Ms), p99Ms: Math.round(lag.p99Ms), maxMs: Math.round(lag.maxMs) });
  const line = (name: string, lag: { count: number; p50Ms: number; p99Ms: number; maxMs: number }) =>
    `  ${name.padEnd(16)} p50 ${round(lag).p50Ms} ms, p99 ${round(lag).p99Ms} ms, max ${round(lag).maxMs} ms (${lag.count})`;
  return [
    '',
    `Cal.com sync lag, from sending an admin command to its Cal.com call reaching the sandbox (${figure.ratePerSecond} commands/s, ` +
      `the ledger in its own process; ${verdict} the p50 < ${SYNC_LAG_TARGETS.p50Ms} ms, p99 < ${SYNC_LAG_TARGETS.p99Ms} ms target):`,
    line('all', figure),
    line('from the event', figure.fromEvent),
    line('create', figure.byOperation.create),
    line('reschedule', figure.byOperation.reschedule),
    line('cancel', figure.byOperation.cancel),
    line('after the answer', figure.fromAnswer),
    line('command answer', figure.commandAnswer),
  ].join('\n');
}
