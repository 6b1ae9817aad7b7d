import type { AppendResult, EventStore, StreamAppend, StreamAppendOutcome } from './event-store.port.js';

export interface GroupCommitSettings {
  /** Most appends one transaction takes (PostgreSQL: a subtransaction each, see postgres-multi-stream-append.ts). */
  maxBatch: number;
  /** Most appends waiting for a transaction; one more is refused at once (GroupCommitFullError). */
  maxQueued: number;
  /** Transactions under way at once: while one waits for its commit flush, the next can be executing. */
  maxInFlight: number;
}

export const DEFAULT_GROUP_COMMIT: GroupCommitSettings = { maxBatch: 50, maxQueued: 5_000, maxInFlight: 2 };

/** The appender's queue is full: the caller should come back later rather than wait. */
export class GroupCommitFullError extends Error {
  constructor(readonly queued: number) {
    super(`${queued} appends are already waiting to be committed`);
    this.name = 'GroupCommitFullError';
  }
}

interface Waiting {
  append: StreamAppend;
  resolve(result: AppendResult): void;
  reject(error: unknown): void;
}

/**
 * Appends of many concurrent callers made durable together (group commit): whatever is waiting when a transaction
 * is free goes into it, up to `maxBatch`, so under load one commit flush serves many callers, and a lone append at a
 * quiet moment goes at once (no timer: a batch collects exactly while the previous ones are committing). Each
 * caller's promise settles only once its own append's transaction has committed, with its own outcome: an append
 * the store refuses (expected revision, a reused event id) rejects that caller alone.
 */
export class GroupCommitAppender {
  private readonly queue: Waiting[] = [];
  private inFlight = 0;

  constructor(
    private readonly store: EventStore,
    private readonly settings: GroupCommitSettings = DEFAULT_GROUP_COMMIT,
  ) {}

  /** Appends waiting for a transaction now. */
  get queued(): number {
    return this.queue.length;
  }

  append(append: StreamAppend): Promise<AppendResult> {
    if (this.queue.length >= this.settings.maxQueued) return Promise.reject(new GroupCommitFullError(this.queue.length));
    const appended = new Promise<AppendResult>((resolve, reject) => this.queue.push({ append, resolve, reject }));
    this.startBatches();
    return appended;
  }

  private startBatches(): void {
    while (this.inFlight < this.settings.maxInFlight && this.queue.length > 0) {
      this.inFlight++;
      void this.commit(this.queue.splice(0, this.settings.maxBatch)).finally(() => {
        this.inFlight--;
        this.startBatches();
      });
    }
  }

  private async commit(batch: Waiting[]): Promise<void> {
    let outcomes: StreamAppendOutcome[];
    try {
      outcomes = await this.store.appendToStreams(batch.map((waiting) => waiting.append));
    } catch (error) {
      // The port reports failures per append; a store that throws anyway stored nothing of ours it could tell us.
      outcomes = batch.map(() => ({ ok: false, error }));
    }
    batch.forEach((waiting, index) => {
      const outcome = outcomes[index];
      if (outcome?.ok) waiting.resolve(outcome.result);
      else waiting.reject(outcome ? outcome.error : new Error('the store gave no outcome for this append'));
    });
  }
}
