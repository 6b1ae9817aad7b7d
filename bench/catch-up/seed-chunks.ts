import type { BenchEvent } from '../workload/bench-event.js';
import { AppointmentTimeline } from '../workload/appointment-timeline.js';

export interface CatchUpHistory {
  /** The history in global order, `chunkSize` events at a time. */
  chunks: Generator<BenchEvent[]>;
  /** Distinct appointments, once every chunk has been taken. */
  appointmentCount(): number;
}

/** `total` timeline events; the same seed gives every contender the same history. */
export function catchUpHistory(seed: number, total: number, chunkSize: number): CatchUpHistory {
  const timeline = new AppointmentTimeline(seed);
  let appointments = 0;
  function* chunks(): Generator<BenchEvent[]> {
    for (let start = 0; start < total; start += chunkSize) {
      const events = Array.from({ length: Math.min(chunkSize, total - start) }, () => timeline.next());
      appointments += events.filter((event) => event.type === 'AppointmentScheduled').length;
      yield events;
    }
  }
  return { chunks: chunks(), appointmentCount: () => appointments };
}

/** Parallel columns of events, as the server-side seeding statements take them. */
export function seedColumns(events: readonly BenchEvent[]): [string[], string[], string[], string, string] {
  return [
    events.map((event) => event.streamName),
    events.map((event) => event.id),
    events.map((event) => event.type),
    JSON.stringify(events.map((event) => event.data)),
    JSON.stringify(events.map((event) => event.metadata)),
  ];
}
