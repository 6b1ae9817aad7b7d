import { signCalcomWebhook } from '#calcom';

export interface PostedWebhook {
  status: number;
  body: any;
}

/** Sends a webhook the way Cal.com does: the exact bytes, signed with the shared secret (or with what a test chooses). */
export class CalcomWebhookPoster {
  constructor(
    private readonly url: string,
    private readonly secret: string,
  ) {}

  async post(body: string | object, options: { contentType?: string; signature?: string | null } = {}): Promise<PostedWebhook> {
    const raw = typeof body === 'string' ? body : JSON.stringify(body);
    const signature = options.signature === undefined ? signCalcomWebhook(raw, this.secret) : options.signature;
    const response = await fetch(this.url, {
      method: 'POST',
      headers: {
        'content-type': options.contentType ?? 'application/json',
        'x-cal-webhook-version': '2021-10-20',
        ...(signature === null ? {} : { 'x-cal-signature-256': signature }),
      },
      body: raw,
    });
    const text = await response.text();
    return { status: response.status, body: text && (response.headers.get('content-type') ?? '').includes('json') ? JSON.parse(text) : text };
  }
}
