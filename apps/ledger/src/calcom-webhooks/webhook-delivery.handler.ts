import type { ServerResponse } from 'node:http';
import { MalformedWebhookError } from '#domain';
import { CALCOM_SIGNATURE_HEADER } from '#calcom';
import { assignCorrelationId } from '../http/request-context.js';
import { WebhookIntakeBusyError } from '../http/transport.errors.js';
import type { CalcomWebhookIntake, WebhookDelivery } from './calcom-webhook.intake.js';
import { isWebhookDelivery, type RequestWithRawBody, WEBHOOK_PATH } from './webhook-raw-body.js';

/** Times a request by method, route and status (LedgerMetrics.httpRequests, as HttpMetricsMiddleware does). */
export interface RequestTimer {
  startTimer(labels: { method: string }): (labels: { route: string; status: string }) => void;
}

/**
 * Deliveries answered straight from Express, mounted on WEBHOOK_PATH after the raw body is read: at 1,000 deliveries
 * a second Nest's per-request pipeline (routing, middleware, guard, interceptors, body parsers that find nothing
 * to parse, an ETag per answer) cost as much CPU as storing the fact. What it gave a delivery is kept here: the
 * correlation id (echoed back), the request metric, the answer `CalcomWebhooksController` gives, and refusals through
 * `next(error)` to the same exception filter, so their status and `{"error":{"code","message","details"}}` body are
 * unchanged. The guards mounted before it (host, method, sizes, query) and the raw-body limit still apply.
 */
export function answerWebhookDeliveries(intake: CalcomWebhookIntake, requests: RequestTimer) {
  return (request: RequestWithRawBody, response: ServerResponse, next: (error?: unknown) => void): void => {
    // Express has cut the mount path off `url`: '' is the delivery endpoint itself, not the admin paths below it.
    if (!isWebhookDelivery(request, '')) return next();
    const stop = requests.startTimer({ method: 'POST' });
    response.once('finish', () => stop({ route: WEBHOOK_PATH, status: String(response.statusCode) }));
    const correlationId = assignCorrelationId(request, response);
    let delivery: WebhookDelivery;
    try {
      delivery = webhookDeliveryOf(request, correlationId);
    } catch (error) {
      return next(error);
    }
    intake.receive(delivery).then(
      (receipt) => {
        response.statusCode = 200;
        response.setHeader('Content-Type', 'application/json; charset=utf-8');
        response.end(JSON.stringify(receipt));
      },
      (error: unknown) => {
        tellWhenToRetry(response, error);
        next(error);
      },
    );
  };
}

/** What the intake judges, read off a delivery request: its exact bytes, signature and content type. */
export function webhookDeliveryOf(request: RequestWithRawBody, correlationId: string): WebhookDelivery {
  if (!request.rawBody) throw new MalformedWebhookError('no body');
  const contentType = request.headers['content-type'];
  return {
    rawBody: request.rawBody,
    signature: request.headers[CALCOM_SIGNATURE_HEADER],
    contentType: typeof contentType === 'string' ? contentType : null,
    correlationId,
  };
}

/** A delivery refused because the intake is full says when to come back. */
export function tellWhenToRetry(response: Pick<ServerResponse, 'setHeader'>, error: unknown): void {
  if (error instanceof WebhookIntakeBusyError) response.setHeader('Retry-After', String(error.retryAfterSeconds));
}
