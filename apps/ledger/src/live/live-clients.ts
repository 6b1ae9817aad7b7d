import type { ServerResponse } from 'node:http';

export interface LiveSettings {
  /** `LIVE_MAX_STREAMS` (100): open `/live` streams at once on this instance; past it, 503. */
  maxStreams: number;
  /** A comment line this often keeps proxies from closing a quiet stream (15 s). */
  heartbeatMs: number;
  /** Bytes a client may leave unread before its stream is closed (it reconnects and refetches). */
  maxBufferedBytes: number;
}

export const defaultLiveSettings: LiveSettings = { maxStreams: 100, heartbeatMs: 15_000, maxBufferedBytes: 256 * 1024 };

interface LiveClient {
  response: ServerResponse;
  /** Whether the credential the stream was opened with still holds (a session can end: sign-out, idle expiry). */
  stillAllowed(): Promise<boolean>;
}

/**
 * The open server-sent-event streams of this instance. A slow reader is never buffered without bound: once what it
 * has not read passes `maxBufferedBytes`, its stream is closed, and the browser's EventSource reconnects and
 * refetches. Each heartbeat also re-checks the stream's session, so signing out or going idle ends the stream too.
 */
export class LiveClients {
  private readonly clients = new Set<LiveClient>();
  private readonly heartbeat: NodeJS.Timeout;

  constructor(private readonly settings: LiveSettings) {
    this.heartbeat = setInterval(() => void this.beat(), settings.heartbeatMs);
    this.heartbeat.unref();
  }

  get count(): number {
    return this.clients.size;
  }

  /** Starts the event stream on `response`; false when the instance already serves as many as it may. */
  open(response: ServerResponse, stillAllowed: () => Promise<boolean>): boolean {
    if (this.clients.size >= this.settings.maxStreams) return false;
    const client: LiveClient = { response, stillAllowed };
    this.clients.add(client);
    response.on('close', () => this.clients.delete(client));
    response.statusCode = 200;
    response.setHeader('Content-Type', 'text/event-stream; charset=utf-8');
    response.setHeader('Cache-Control', 'no-cache, no-transform');
    response.setHeader('Connection', 'keep-alive');
    response.setHeader('X-Accel-Buffering', 'no');
    response.flushHeaders();
    this.write(client, 'retry: 3000\n: connected\n\n');
    return true;
  }

  broadcast(event: string, data: unknown): void {
    const message = `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
    for (const client of this.clients) this.write(client, message);
  }

  /** On shutdown: every stream ends, so the HTTP server can close. */
  closeAll(): void {
    clearInterval(this.heartbeat);
    for (const client of this.clients) this.end(client);
  }

  private write(client: LiveClient, message: string): void {
    if (client.response.writableEnded) return;
    if (client.response.writableLength > this.settings.maxBufferedBytes) return this.end(client);
    client.response.write(message);
  }

  private end(client: LiveClient): void {
    this.clients.delete(client);
    if (!client.response.writableEnded) client.response.end();
  }

  private async beat(): Promise<void> {
    for (const client of [...this.clients]) {
      const allowed = await client.stillAllowed().catch(() => true);
      if (allowed) this.write(client, ': heartbeat\n\n');
      else this.end(client);
    }
  }
}
