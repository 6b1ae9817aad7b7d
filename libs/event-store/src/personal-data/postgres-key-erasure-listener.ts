import pg from 'pg';
import { KEY_ERASED_CHANNEL } from './postgres-customer-keys.schema.js';

export interface ErasureListenerEvents {
  /** LISTEN is in place (true) or the connection is gone (false). */
  listening(on: boolean): void;
  erased(subjectId: string): void;
}

const RECONNECT_DELAY_MS = 1_000;

/** One dedicated connection that LISTENs for erasures; reconnects after a second when it drops, until closed. */
export class PostgresKeyErasureListener {
  private client: pg.Client | null = null;
  private retry: NodeJS.Timeout | null = null;
  private closed = false;

  constructor(
    private readonly clientConfig: pg.ClientConfig,
    private readonly events: ErasureListenerEvents,
  ) {}

  async start(): Promise<void> {
    if (this.closed) return;
    const client = new pg.Client(this.clientConfig);
    const lost = () => {
      if (this.client !== client) return;
      this.client = null;
      this.events.listening(false);
      client.end().catch(() => undefined);
      if (!this.closed) this.retry = setTimeout(() => void this.start(), RECONNECT_DELAY_MS).unref();
    };
    client.on('error', lost);
    client.on('end', lost);
    client.on('notification', ({ payload }) => payload && this.events.erased(payload));
    this.client = client;
    try {
      await client.connect();
      await client.query(`LISTEN ${KEY_ERASED_CHANNEL}`);
      if (this.client === client && !this.closed) this.events.listening(true);
    } catch {
      lost();
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.retry) clearTimeout(this.retry);
    const client = this.client;
    this.client = null;
    this.events.listening(false);
    await client?.end().catch(() => undefined);
  }
}
