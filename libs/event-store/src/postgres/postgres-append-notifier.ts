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
  text: `SELECT set_config('synchronous_commit', 'off', true), pg_notify('${APPENDED_CHANNEL}', '')`,
};

/**
 * Announces appends to LISTENing readers in every process. At most one NOTIFY is in flight: appends that commit
 * meanwhile are covered by one more, sent once it is done, so a burst of appends costs two notifications.
 */
export class PostgresAppendNotifier {
  private sending: Promise<void> | null = null;
  private again = false;

  constructor(private readonly pool: pg.Pool) {}

  appended(): void {
    if (this.sending) {
      this.again = true;
      return;
    }
    this.sending = this.send();
  }

  /** Resolves once the notification in flight, if any, has been sent. */
  async flush(): Promise<void> {
    await this.sending;
  }

  private async send(): Promise<void> {
    do {
      this.again = false;
      await this.pool.query(NOTIFY_APPENDED).catch(() => undefined);
    } while (this.again);
    this.sending = null;
  }
}
