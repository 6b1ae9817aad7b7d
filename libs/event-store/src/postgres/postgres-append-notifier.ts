import { randomUUID } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import type pg from 'pg';
import { APPENDED_CHANNEL } from './postgres-event-store.schema.js';

/*
 * NOTIFY in its own transaction, after the append has committed: inside the append it would hold the database-wide
 * notify lock through the append's commit flush, so concurrent appends could not share a WAL flush (measured: 8
 * callers no faster than 1). The notification may be lost in a crash, which is harmless (waiting readers poll), so
 * its commit need not wait for the disk.
 */
const NOTIFY_APPENDED = {
  name: 'event_store_notify_appended',
  text: `SELECT set_config('synchronous_commit', 'off', true), pg_notify('${APPENDED_CHANNEL}', $1)`,
};

/**
 * Announces appends to LISTENing readers in other processes: the first append after a quiet spell at once, then at
 * most one notification per `minIntervalMs`, covering every append since the previous one (a reader reads them all
 * anyway). A sequential writer would otherwise pay a second transaction, and wake every reader, per append.
 */
export class PostgresAppendNotifier {
  /** Sent as the payload, so this process's listener can ignore its own notifications (it woke its waiters already). */
  readonly senderId = randomUUID();
  private sending: Promise<void> | null = null;
  private again = false;

  constructor(
    private readonly pool: pg.Pool,
    private readonly minIntervalMs = 5,
  ) {}

  appended(): void {
    if (this.sending) {
      this.again = true;
      return;
    }
    this.sending = this.send();
  }

  /** Resolves once the notifications owed have been sent. */
  async flush(): Promise<void> {
    await this.sending;
  }

  private async send(): Promise<void> {
    do {
      this.again = false;
      await this.pool.query({ ...NOTIFY_APPENDED, values: [this.senderId] }).catch(() => undefined);
      await delay(this.minIntervalMs);
    } while (this.again);
    this.sending = null;
  }
}
