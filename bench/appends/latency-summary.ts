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

/** One round of a measurement with the latencies behind it, so that rounds can be combined exactly (combineRounds). */
export interface RoundFigure extends ThroughputFigure {
  latenciesMs: number[];
}

export function summarise(latenciesMs: readonly number[], events: number, elapsedMs: number, cpu: CpuFigure): RoundFigure {
  const sorted = [...latenciesMs].sort((a, b) => a - b);
  return {
    latenciesMs: [...latenciesMs],
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

/** The rounds of one measurement as if they were one run: rates over the summed time, percentiles over every append. */
export function combineRounds(rounds: readonly RoundFigure[]): ThroughputFigure {
  const sum = (value: (figure: RoundFigure) => number) => rounds.reduce((total, figure) => total + value(figure), 0);
  const serverCpuKnown = rounds.every((figure) => figure.serverCpuMs !== null);
  const { latenciesMs: _all, ...combined } = summarise(
    rounds.flatMap((figure) => figure.latenciesMs),
    sum((figure) => figure.events),
    sum((figure) => figure.seconds) * 1000,
    { clientCpuMs: sum((figure) => figure.clientCpuMs), serverCpuMs: serverCpuKnown ? sum((figure) => figure.serverCpuMs ?? 0) : null },
  );
  return combined;
}

function round(value: number, digits: number): number {
  const scale = 10 ** digits;
  return Math.round(value * scale) / scale;
}
