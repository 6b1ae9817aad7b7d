import { createServer, type IncomingHttpHeaders, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedWebhook {
  headers: IncomingHttpHeaders;
  /** The exact bytes, for checking the signature before parsing. */
  rawBody: Buffer;
  json: { triggerEvent: string; createdAt: string; payload: Record<string, unknown> };
}

export interface WebhookReceiver {
  url: string;
  received: ReceivedWebhook[];
  /** What the receiver answers; 200 unless changed. */
  respondWith(status: number): void;
  /** Runs while the delivery is held open, before the receiver answers (like a subscriber doing its work). */
  onDelivery(handler: (webhook: ReceivedWebhook) => Promise<void> | void): void;
  close(): Promise<void>;
}

/** A real HTTP subscriber on an ephemeral port that records every delivery. */
export async function startWebhookReceiver(): Promise<WebhookReceiver> {
  const received: ReceivedWebhook[] = [];
  let status = 200;
  let handler: (webhook: ReceivedWebhook) => Promise<void> | void = () => undefined;
  const readBody = async (request: IncomingMessage) => {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks);
  };
  const server = createServer(async (request, response) => {
    const rawBody = await readBody(request);
    const webhook = { headers: request.headers, rawBody, json: JSON.parse(rawBody.toString('utf8')) };
    received.push(webhook);
    await handler(webhook);
    response.writeHead(status).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/calcom/webhooks`,
    received,
    respondWith: (next) => (status = next),
    onDelivery: (next) => (handler = next),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
