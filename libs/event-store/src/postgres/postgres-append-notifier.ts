import { randomUUID } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import type pg from 'pg';
import { APPENDED_CHANNEL } from './postgres-event-store.schema.js';

/*
 * A NOTIFY holds PostgreSQL's database-wide notify lock from pre-commit until the commit is flushed, so if every append
 * notified in its own transaction, concurrent appends would commit one at a time (measured: 8 callers no faster than
 * 1). So at most one append per interval carries the notification in its own transaction (takeTurn), which costs
 * nothing more than the append's round trip; appends committed in between are announced by the next append that
 * carries one, or, if none comes, by a NOTIFY in a transaction of its own at the end of the interval. A notification
 * lost in a crash is harmless (waiting readers poll), so that transaction's commit need not wait for the disk.
 */
const NOTIFY_APPENDED = {
  name: 'event_store_notify_appended',
  text: `SELECT set_config('synchronous_commit', 'off', true), pg_notify('${APPENDED_CHANNEL}', $1)`,
};

/**
 * Announces appends to LISTENing readers in other processes: the first append after a quiet spell at once, then at
 * most one notification per `minIntervalMs`, covering every append since the previous one (a reader reads them all
 * anyway). Every committed append is followed by a notification sent after its commit.
 */
export class PostgresAppendNotifier {
  /** Sent as the payload, so this process's listener can ignore its own notifications (it woke its waiters already). */
  readonly senderId = randomUUID();
  private lastSentAt = Number.NEGATIVE_INFINITY;
  /** Appends committed without carrying a notification, counted; `announced` of them are covered by a later one. */
  private committed = 0;
  private announced = 0;
  private sending: Promise<void> | null = null;

  constructor(
    private readonly pool: pg.Pool,
    private readonly minIntervalMs = 5,
  ) {}

  /**
   * Whether the append about to be sent should carry the notification in its transaction: null if not, else the
   * ticket to hand to `carried` once it has committed (the appends it covers: those committed before it started).
   */
  takeTurn(): number | null {
    if (performance.now() - this.lastSentAt < this.minIntervalMs) return null;
    this.lastSentAt = performance.now();
    return this.committed;
  }

  /** An append that carried the notification has committed, and with it the notification. */
  carried(ticket: number): void {
    this.announced = Math.max(this.announced, ticket);
  }

  /** An append has committed without a notification of its own: one is owed, after this commit. */
  appended(): void {
    this.committed++;
    this.sending ??= this.sendOwed();
  }

  /** Resolves once the notifications owed have been sent. */
  async flush(): Promise<void> {
    await this.sending;
  }

  private async sendOwed(): Promise<void> {
    try {
      for (;;) {
        const wait = this.lastSentAt + this.minIntervalMs - performance.now();
        if (wait > 0) await delay(wait);
        if (this.announced >= this.committed) return;
        // An append carrying a notification may be under way, but it may have started before the owed appends
        // committed: only a notification sent from now on is sure to come after them.
        const covered = this.committed;
        this.lastSentAt = performance.now();
        await this.pool.query({ ...NOTIFY_APPENDED, values: [this.senderId] }).catch(() => undefined);
        this.announced = Math.max(this.announced, covered);
      }
    } finally {
      this.sending = null;
    }
  }
}
