import { eventually } from './eventually.js';

export interface LiveMessage {
  event: string;
  data: any;
}

/**
 * `GET /live` read as a browser's EventSource would: the raw text, the parsed messages, and a way to wait for one.
 * `opened` is the HTTP answer (its status and headers); the body is read in the background until `close()`.
 */
export class LiveStream {
  text = '';
  ended = false;
  private readonly abort = new AbortController();

  private constructor(
    readonly status: number,
    readonly headers: Headers,
    readonly body: string | null,
  ) {}

  static async open(baseUrl: string, headers: Record<string, string>): Promise<LiveStream> {
    const controller = new AbortController();
    const response = await fetch(`${baseUrl}/live`, { headers: { accept: 'text/event-stream', ...headers }, signal: controller.signal });
    if (response.status !== 200 || !response.body) {
      const stream = new LiveStream(response.status, response.headers, await response.text());
      stream.ended = true;
      return stream;
    }
    const stream = new LiveStream(response.status, response.headers, null);
    stream.abort.signal.addEventListener('abort', () => controller.abort());
    void stream.read(response.body);
    await eventually(() => expect(stream.text).toContain(': connected'), 5_000);
    return stream;
  }

  get messages(): LiveMessage[] {
    return this.text
      .split('\n\n')
      .map((block) => {
        const event = /^event: (.*)$/m.exec(block)?.[1];
        const data = /^data: (.*)$/m.exec(block)?.[1];
        return event && data ? { event, data: JSON.parse(data) } : null;
      })
      .filter((message): message is LiveMessage => message !== null);
  }

  /** The first message that passes `matches`, waited for up to `timeoutMs`. */
  next(matches: (message: LiveMessage) => boolean, timeoutMs = 5_000): Promise<LiveMessage> {
    return eventually(
      () => {
        const found = this.messages.find(matches);
        if (!found) throw new Error(`no such message yet; received so far:\n${this.text.slice(-2000)}`);
        return found;
      },
      timeoutMs,
      20,
    );
  }

  close(): void {
    this.abort.abort();
  }

  private async read(body: ReadableStream<Uint8Array>): Promise<void> {
    const decoder = new TextDecoder();
    try {
      for await (const chunk of body) this.text += decoder.decode(chunk, { stream: true });
    } catch {
      // aborted by close(), or the server went away
    }
    this.ended = true;
  }
}
