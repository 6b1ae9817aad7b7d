import { HttpException, HttpStatus } from '@nestjs/common';
import { errorBody } from './error-body.js';

/**
 * Refusals only the HTTP edge can give: who is calling, whether a webhook is signed, how big a body is. The domain
 * never meets them, so their codes live here rather than in `libs/domain`'s `ErrorCode`; the exception filter passes
 * their `{"error":{"code","message","details"}}` body through as it is.
 */
export type TransportErrorCode = 'UNAUTHORIZED' | 'FORBIDDEN' | 'INVALID_SIGNATURE' | 'PAYLOAD_TOO_LARGE' | 'WEBHOOK_INTAKE_BUSY';

export abstract class TransportError extends HttpException {
  constructor(
    status: HttpStatus,
    readonly code: TransportErrorCode,
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(errorBody(code, message, details), status);
    this.name = new.target.name;
  }
}

export class UnauthorizedError extends TransportError {
  constructor() {
    super(HttpStatus.UNAUTHORIZED, 'UNAUTHORIZED', 'A valid "Authorization: Bearer <token>" header is required');
  }
}

export class ForbiddenError extends TransportError {
  constructor(message: string, details: Record<string, unknown> = {}) {
    super(HttpStatus.FORBIDDEN, 'FORBIDDEN', message, details);
  }
}

/** A Cal.com webhook whose `X-Cal-Signature-256` is missing or does not match the raw body. */
export class InvalidSignatureError extends TransportError {
  constructor() {
    super(HttpStatus.UNAUTHORIZED, 'INVALID_SIGNATURE', 'The X-Cal-Signature-256 header is missing or does not match the body');
  }
}

export class PayloadTooLargeError extends TransportError {
  constructor(limitBytes: number) {
    super(HttpStatus.PAYLOAD_TOO_LARGE, 'PAYLOAD_TOO_LARGE', `The body is larger than ${limitBytes} bytes`, { limitBytes });
  }
}

/**
 * More webhook deliveries are waiting to be stored than the intake queues (`WEBHOOK_INTAKE_QUEUE_LIMIT`): refused at
 * once with `Retry-After` rather than held until the sender times out. Cal.com does not retry a delivery; the drift
 * report shows what a refused one would have changed.
 */
export class WebhookIntakeBusyError extends TransportError {
  constructor(readonly retryAfterSeconds: number) {
    super(HttpStatus.SERVICE_UNAVAILABLE, 'WEBHOOK_INTAKE_BUSY', 'Too many webhook deliveries are waiting to be stored; try again later', { retryAfterSeconds });
  }
}
