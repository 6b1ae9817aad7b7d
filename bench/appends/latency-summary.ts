import type { CpuFigure } from '../cpu-meter.js';

export interface ThroughputFigure extends CpuFigure {
  appends: number;
  events: number;
  seconds: number;
  eventsPerSecond: number;
  /** Latency of one append call as its caller sees it. */
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
}

/** Nearest-rank percentile of an ascending array. */
export function percentile(sortedMs: readonly number[], fraction: number): number {
  if (sortedMs.length === 0) return Number.NaN;
  const rank = Math.max(1, Math.ceil(fraction * sortedMs.length));
  return sortedMs[rank - 1];
}

export function summarise(latenciesMs: readonly number[], events: number, elapsedMs: number, cpu: CpuFigure): ThroughputFigure {
  const sorted = [...latenciesMs].sort((a, b) => a - b);
  return {
    appends: sorted.length,
    events,
    seconds: round(elapsedMs / 1000, 3),
    eventsPerSecond: Math.round(events / (elapsedMs / 1000)),
    p50Ms: round(percentile(sorted, 0.5), 3),
    p99Ms: round(percentile(sorted, 0.99), 3),
    maxMs: round(sorted.at(-1) ?? Number.NaN, 3),
    ...cpu,
  };
}

function round(value: number, digits: number): number {
  const scale = 10 ** digits;
  return Math.round(value * scale) / scale;
}
