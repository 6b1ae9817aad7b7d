import type { BenchEvent } from '../workload/bench-event.js';

/** One contender's write side, as the append measurements drive it. */
export interface Appender {
  /**
   * Appends events of one stream in one call. Stores that check an expected revision are given the stream's exact
   * current one (as a command handler that has just read the stream would), tracked by the appender itself.
   */
  append(streamName: string, events: readonly BenchEvent[]): Promise<void>;
  close(): Promise<void>;
}
