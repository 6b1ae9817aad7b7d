import type { ThroughputFigure } from './appends/latency-summary.js';
import type { CatchUpFigure } from './catch-up/catch-up-figure.js';
import type { ContenderName } from './contenders/contenders.js';

export interface ContenderResults {
  sequential?: ThroughputFigure;
  concurrent?: ThroughputFigure;
  batch?: ThroughputFigure;
  catchUp?: CatchUpFigure;
}

export type BenchResults = Partial<Record<ContenderName, ContenderResults>>;

export interface TargetCheck {
  name: string;
  target: string;
  actual: number | null;
  met: boolean | null;
}

export interface TargetChecks {
  sequentialRate: TargetCheck;
  sequentialP99: TargetCheck;
  batchRate: TargetCheck;
  catchUpRate: TargetCheck;
  catchUpVsEmmett: TargetCheck;
}

/** The targets for this project's store and projector (2-core machine). */
export function checkTargets(results: BenchResults): TargetChecks {
  const ours = results.ledger ?? {};
  const emmettCatchUp = results.emmett?.catchUp?.eventsPerSecond;
  const ratio = ours.catchUp && emmettCatchUp ? Math.round((ours.catchUp.eventsPerSecond / emmettCatchUp) * 10) / 10 : null;
  return {
    sequentialRate: atLeast('sequential appends events/s', 1_000, ours.sequential?.eventsPerSecond),
    sequentialP99: below('sequential appends p99 ms', 5, ours.sequential?.p99Ms),
    batchRate: atLeast('100 events per append events/s', 25_000, ours.batch?.eventsPerSecond),
    catchUpRate: atLeast('catch-up events/s', 50_000, ours.catchUp?.eventsPerSecond),
    catchUpVsEmmett: atLeast('catch-up vs Emmett (times)', 10, ratio),
  };
}

function atLeast(name: string, target: number, actual: number | null | undefined): TargetCheck {
  return { name, target: `>= ${target.toLocaleString('en-US')}`, actual: actual ?? null, met: actual == null ? null : actual >= target };
}

function below(name: string, target: number, actual: number | null | undefined): TargetCheck {
  return { name, target: `< ${target}`, actual: actual ?? null, met: actual == null ? null : actual < target };
}
