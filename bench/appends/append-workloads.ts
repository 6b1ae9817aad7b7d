import type { CpuMeter } from '../cpu-meter.js';
import type { BenchEvent } from '../workload/bench-event.js';
import { AppointmentTimeline } from '../workload/appointment-timeline.js';
import type { Appender } from './appender.js';
import { summarise, type RoundFigure } from './latency-summary.js';

export interface SingleAppendSettings {
  callers: number;
  appendsPerCaller: number;
  warmUpAppendsPerCaller: number;
  seed: number;
}

export interface BatchAppendSettings {
  appends: number;
  eventsPerAppend: number;
  warmUpAppends: number;
  seed: number;
}

/**
 * One event per append, from `callers` concurrent callers (1 = sequential), each writing its own appointment streams
 * in the timeline's realistic order. Warm-up appends run first with the same concurrency and are not counted.
 */
export async function measureSingleAppends(appender: Appender, settings: SingleAppendSettings, meter: CpuMeter): Promise<RoundFigure> {
  const timelines = Array.from({ length: settings.callers }, (_, caller) => new AppointmentTimeline(settings.seed + caller));
  const nextAppend = (caller: number) => {
    const event = timelines[caller].next();
    return { streamName: event.streamName, events: [event] };
  };
  await runCallers(appender, settings.callers, settings.warmUpAppendsPerCaller, nextAppend);
  const stopMeter = meter.start();
  const started = performance.now();
  const latencies = await runCallers(appender, settings.callers, settings.appendsPerCaller, nextAppend);
  const elapsedMs = performance.now() - started;
  return summarise(latencies, latencies.length, elapsedMs, stopMeter());
}

/** `eventsPerAppend` events of one new appointment stream per append, one caller. */
export async function measureBatchAppends(appender: Appender, settings: BatchAppendSettings, meter: CpuMeter): Promise<RoundFigure> {
  const timeline = new AppointmentTimeline(settings.seed);
  const nextAppend = () => {
    const events = timeline.history(settings.eventsPerAppend);
    return { streamName: events[0].streamName, events };
  };
  await runCallers(appender, 1, settings.warmUpAppends, nextAppend);
  const stopMeter = meter.start();
  const started = performance.now();
  const latencies = await runCallers(appender, 1, settings.appends, nextAppend);
  const elapsedMs = performance.now() - started;
  return summarise(latencies, latencies.length * settings.eventsPerAppend, elapsedMs, stopMeter());
}

async function runCallers(
  appender: Appender,
  callers: number,
  appendsPerCaller: number,
  nextAppend: (caller: number) => { streamName: string; events: BenchEvent[] },
): Promise<number[]> {
  const latencies: number[] = [];
  const caller = async (index: number) => {
    for (let done = 0; done < appendsPerCaller; done++) {
      const { streamName, events } = nextAppend(index);
      const started = performance.now();
      await appender.append(streamName, events);
      latencies.push(performance.now() - started);
    }
  };
  await Promise.all(Array.from({ length: callers }, (_, index) => caller(index)));
  return latencies;
}
