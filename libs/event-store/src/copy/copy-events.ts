import { DuplicateEventIdError, type EventStore, type RecordedEvent } from '../event-store.port.js';
import type { CopyCheckpoint, CopyProgress } from './copy-checkpoint.js';
import type { CopyTarget } from './copy-target.js';

export interface CopyEventsOptions {
  /** Events per source read and per checkpoint. Default 500. */
  batchSize?: number;
  /** Stop once this many events have been copied in this run (the checkpoint lets a later run go on). */
  stopAfter?: number;
  onBatch?(progress: CopyProgress): void;
}

export interface CopyEventsResult extends CopyProgress {
  /** False when the run stopped early (stopAfter); true when everything committed before the run began is copied. */
  complete: boolean;
}

/**
 * Copies every event of `source`, in its global order, into `target`, from the checkpoint on. Events keep their
 * ids, streams, revisions, data, metadata and recording times. The checkpoint is saved after each batch; events
 * copied after the last save are copied again on the next run, which the target takes as idempotent retries.
 */
export async function copyEvents(source: EventStore, target: CopyTarget, checkpoint: CopyCheckpoint, options: CopyEventsOptions = {}): Promise<CopyEventsResult> {
  const batchSize = options.batchSize ?? 500;
  const stopAfter = options.stopAfter ?? Number.POSITIVE_INFINITY;
  let { position, copied } = await checkpoint.load();
  let copiedThisRun = 0;
  // An empty page does not mean the end: readAll holds back events while any older transaction still runs
  // anywhere on the server. The copy is complete once it has passed the head it saw when it began.
  const head = await source.headPosition();
  for (;;) {
    if (source.comparePositions(position, head) >= 0) return { position, copied, complete: true };
    if (copiedThisRun >= stopAfter) return { position, copied, complete: false };
    const limit = Math.min(batchSize, stopAfter - copiedThisRun);
    const page = await source.readAll({ after: position, limit });
    if (page.events.length === 0 && source.comparePositions(page.position, position) <= 0) {
      await source.waitForEventsAfter(position, AbortSignal.timeout(1_000));
      continue;
    }
    for (const run of runsOfOneStream(page.events)) await appendRun(target, run);
    await target.completeBatch(page.events);
    position = page.position;
    copied += page.events.length;
    copiedThisRun += page.events.length;
    await checkpoint.save({ position, copied });
    options.onBatch?.({ position, copied });
  }
}

/**
 * A resumed copy may read a run that is partly in the target already (the source grew since the interrupted
 * run, so its page is longer). The target refuses such a mixed append; event by event, each one is either an
 * idempotent retry or new, and a real conflict still fails.
 */
async function appendRun(target: CopyTarget, run: RecordedEvent[]): Promise<void> {
  try {
    await target.appendCopied(run[0].streamName, run);
  } catch (error) {
    if (!(error instanceof DuplicateEventIdError) || run.length === 1) throw error;
    for (const event of run) await target.appendCopied(event.streamName, [event]);
  }
}

/** Consecutive events of the same stream, in order: one append each, with the global order kept. */
function runsOfOneStream(events: RecordedEvent[]): RecordedEvent[][] {
  const runs: RecordedEvent[][] = [];
  for (const event of events) {
    const current = runs.at(-1);
    if (current && current[0].streamName === event.streamName) current.push(event);
    else runs.push([event]);
  }
  return runs;
}
