import type { DataSource } from 'typeorm';
import type { EventStore, Position } from '#event-store';
import { saveCheckpoint } from './projection-checkpoints.js';
import { READ_MODELS_PROJECTION } from './read-models.batch.js';
import { listParkedEvents } from './subscription-incidents.js';

/** The lock the instance running the background workers holds (see background-workers.leader.ts). */
const BACKGROUND_WORKERS_LOCK = 'ledger:background-workers';

export class BackgroundWorkersRunningError extends Error {
  constructor() {
    super('Another process runs the background workers (it holds the lock ledger:background-workers): stop every instance of the app first');
    this.name = 'BackgroundWorkersRunningError';
  }
}

export interface ReplayPlan {
  subscription: string;
  /** The checkpoint it now starts from: just before its earliest parked event. Null when nothing was parked. */
  resumeFrom: Position | null;
  events: number;
}

/**
 * Makes a background subscription (Cal.com sync, webhook translator, notification sender) handle its parked events
 * again after a fix: its checkpoint goes back to just before the earliest one and the parked list is emptied; the next
 * start replays from there (their handlers are replay-safe) and parks again whatever still fails. Their checkpoints
 * move while they run, so this holds the workers' lock and refuses while an instance holds it. The read models are
 * replayed by `projections:rebuild` instead: replaying one event onto rows that have moved on would be skipped.
 */
export async function rewindToParkedEvents(store: Pick<EventStore, 'comparePositions'>, readModel: DataSource, subscription: string): Promise<ReplayPlan> {
  if (subscription === READ_MODELS_PROJECTION) throw new Error(`${READ_MODELS_PROJECTION} is replayed by npm run projections:rebuild`);
  const runner = readModel.createQueryRunner();
  await runner.connect();
  try {
    const [{ locked }] = await runner.query('SELECT pg_try_advisory_lock(hashtextextended($1, 0)) AS locked', [BACKGROUND_WORKERS_LOCK]);
    if (!locked) throw new BackgroundWorkersRunningError();
    try {
      return await readModel.transaction(async (manager) => {
        const parked = await listParkedEvents(manager, subscription);
        if (parked.length === 0) return { subscription, resumeFrom: null, events: 0 };
        const [earliest] = [...parked].sort((a, b) => store.comparePositions(a.resumeFrom, b.resumeFrom));
        await saveCheckpoint(manager, subscription, earliest.resumeFrom);
        await manager.query('DELETE FROM parked_events WHERE subscription = $1', [subscription]);
        return { subscription, resumeFrom: earliest.resumeFrom, events: parked.length };
      });
    } finally {
      await runner.query('SELECT pg_advisory_unlock(hashtextextended($1, 0))', [BACKGROUND_WORKERS_LOCK]);
    }
  } finally {
    await runner.release();
  }
}
