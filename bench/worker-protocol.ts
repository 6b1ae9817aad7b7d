import type { SingleAppendSettings, BatchAppendSettings } from './appends/append-workloads.js';
import type { ThroughputFigure } from './appends/latency-summary.js';
import type { CatchUpFigure, CatchUpSettings } from './catch-up/catch-up-figure.js';
import type { ContenderName } from './contenders/contenders.js';

/** Each contender runs in its own process: Emmett's driver sets process-wide pg type parsers, and GC stays apart. */
export interface WorkerSetup {
  contender: ContenderName;
  appendsUrl: string;
  catchUpUrl: string;
  /** For the server's CPU time; null when the server is not on this machine. */
  postmasterPid: number | null;
}

export type WorkerTask =
  | { kind: 'single-appends'; settings: SingleAppendSettings }
  | { kind: 'batch-appends'; settings: BatchAppendSettings }
  | { kind: 'catch-up'; settings: CatchUpSettings }
  | { kind: 'close' };

export type WorkerRequest = { id: number; task: WorkerTask };

export type WorkerFigure = ThroughputFigure | CatchUpFigure | null;

export type WorkerReply = { id: number; ok: true; figure: WorkerFigure } | { id: number; ok: false; error: string };
