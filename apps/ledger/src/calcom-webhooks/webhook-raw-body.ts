import type { IncomingMessage, ServerResponse } from 'node:http';
import { PayloadTooLargeError } from '../http/transport.errors.js';

export const WEBHOOK_PATH = '/webhooks/calcom';

/** 1 MiB: Cal.com's booking payloads are a few kilobytes. */
export const WEBHOOK_BODY_LIMIT_BYTES = 1024 * 1024;

export type RequestWithRawBody = IncomingMessage & { rawBody?: Buffer };

/** A POST to the delivery endpoint itself (not the admin paths below it, `/facts/{id}/retry`). */
export function isWebhookDelivery(request: IncomingMessage, below = WEBHOOK_PATH): boolean {
  const path = (request.url ?? '/').split('?')[0];
  return request.method === 'POST' && (path === below || path === `${below}/`);
}

/** Runs `middleware` for every request but webhook deliveries (mounted at the root). */
export function exceptWebhookDeliveries<Request extends IncomingMessage, Response extends ServerResponse, Next extends () => void>(
  middleware: (request: Request, response: Response, next: Next) => void,
): (request: Request, response: Response, next: Next) => void {
  return (request, response, next) => (isWebhookDelivery(request) ? next() : middleware(request, response, next));
}

/**
 * Reads the webhook's body as the exact bytes received, whatever its content type, before any parser could turn it
 * into an object: the signature is over these bytes. Installed ahead of the global JSON parser, which then sees a
 * finished request and leaves it alone.
 */
export function readRawWebhookBody(limitBytes = WEBHOOK_BODY_LIMIT_BYTES) {
  return (request: RequestWithRawBody, _response: ServerResponse, next: (error?: unknown) => void): void => {
    // Mounted on WEBHOOK_PATH, so Express has cut the mount path off `url` (and matches the paths below it too): only
    // the delivery endpoint itself is read raw, so JSON bodies under it still reach the JSON parser.
    if (!isWebhookDelivery(request, '')) return next();
    const declared = Number(request.headers['content-length'] ?? 0);
    if (declared > limitBytes) return tooLarge(request, limitBytes, next);
    const chunks: Buffer[] = [];
    let size = 0;
    let failed = false;
    request.on('data', (chunk: Buffer) => {
      if (failed) return;
      size += chunk.length;
      if (size > limitBytes) {
        failed = true;
        return tooLarge(request, limitBytes, next);
      }
      chunks.push(chunk);
    });
    request.on('end', () => {
      if (failed) return;
      request.rawBody = chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, size);
      next();
    });
    request.on('error', (error) => {
      if (!failed) next(error);
      failed = true;
    });
  };
}

/** Answered at once; the rest of the body is read and dropped so the connection can be reused. */
function tooLarge(request: IncomingMessage, limitBytes: number, next: (error?: unknown) => void): void {
  request.resume();
  next(new PayloadTooLargeError(limitBytes));
}
