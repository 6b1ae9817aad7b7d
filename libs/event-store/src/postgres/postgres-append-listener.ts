import pg from 'pg';
import { APPENDED_CHANNEL } from './postgres-event-store.schema.js';

type Wake = () => void;

/**
 * One dedicated connection that LISTENs for appends and wakes every waiter of this process.
 * It is a best-effort accelerator: if it cannot connect or drops, waiters still poll.
 */
export class PostgresAppendListener {
  private readonly waiters = new Set<Wake>();
  private connection: Promise<pg.Client | null> | null = null;
  private closed = false;

  /** `ownSenderId`: the payload of this process's own notifications, whose waiters its appends wake directly. */
  constructor(
    private readonly clientConfig: pg.ClientConfig,
    private readonly ownSenderId: string | null = null,
  ) {}

  /** Resolves once the LISTEN is in place (or has failed): appends committed afterwards will wake `wake`. */
  async subscribe(wake: Wake): Promise<() => void> {
    this.waiters.add(wake);
    await this.listening();
    return () => this.waiters.delete(wake);
  }

  async close(): Promise<void> {
    this.closed = true;
    this.waiters.clear();
    const client = await this.connection?.catch(() => null);
    this.connection = null;
    await client?.end().catch(() => undefined);
  }

  private listening(): Promise<pg.Client | null> {
    if (this.closed) return Promise.resolve(null);
    this.connection ??= this.connect();
    return this.connection;
  }

  private async connect(): Promise<pg.Client | null> {
    const client = new pg.Client(this.clientConfig);
    const forget = () => {
      this.connection = null;
      client.end().catch(() => undefined);
    };
    client.on('error', forget);
    client.on('end', () => (this.connection = null));
    client.on('notification', ({ payload }) => {
      if (payload !== this.ownSenderId) this.wakeAll();
    });
    try {
      await client.connect();
      await client.query(`LISTEN ${APPENDED_CHANNEL}`);
      return client;
    } catch {
      forget();
      return null;
    }
  }

  /** Also called by this process's own appends, which need not wait for their notification to come back. */
  wakeAll(): void {
    for (const wake of this.waiters) wake();
  }
}
