export interface CatchUpSettings {
  /** Events in the store before the catch-up starts. */
  events: number;
  seed: number;
  /** Events seeded per transaction (seeding is not measured). */
  seedChunk: number;
}

import type { CpuFigure } from '../cpu-meter.js';

export interface CatchUpFigure extends CpuFigure {
  events: number;
  seconds: number;
  eventsPerSecond: number;
  /** Appointment rows in the read model afterwards: checked against the number of appointments in the history. */
  appointmentRows: number;
  seedSeconds: number;
}

export function catchUpFigure(events: number, elapsedMs: number, appointmentRows: number, seedMs: number, cpu: CpuFigure): CatchUpFigure {
  return {
    events,
    seconds: Math.round(elapsedMs) / 1000,
    eventsPerSecond: Math.round(events / (elapsedMs / 1000)),
    appointmentRows,
    seedSeconds: Math.round(seedMs) / 1000,
    ...cpu,
  };
}
