import { type ArgumentsHost, Catch, type ExceptionFilter, HttpException, HttpStatus, Logger } from '@nestjs/common';
import type { Request, Response } from 'express';
import { DomainError, type ErrorCode, RetryLaterError } from '#domain';
import { errorBody, type ErrorBody } from './error-body.js';

const statusByCode: Record<ErrorCode, number> = {
  VALIDATION_FAILED: HttpStatus.BAD_REQUEST,
  NOT_FOUND: HttpStatus.NOT_FOUND,
  APPOINTMENT_CANCELLED: HttpStatus.CONFLICT,
  APPOINTMENT_EXISTS: HttpStatus.CONFLICT,
  STAFF_UNAVAILABLE: HttpStatus.CONFLICT,
  APPOINTMENT_STATUS_CONFLICT: HttpStatus.CONFLICT,
  APPOINTMENT_NOT_STARTED: HttpStatus.CONFLICT,
  VERSION_CONFLICT: HttpStatus.PRECONDITION_FAILED,
  MALFORMED_WEBHOOK: HttpStatus.BAD_REQUEST,
  CONFLICT_RESOLVED: HttpStatus.CONFLICT,
  FACT_NOT_FAILED: HttpStatus.CONFLICT,
  DRIFT_NOT_HEALABLE: HttpStatus.CONFLICT,
  CALCOM_UNAVAILABLE: HttpStatus.BAD_GATEWAY,
  CALCOM_SLOT_UNAVAILABLE: HttpStatus.CONFLICT,
  READ_MODEL_BEHIND: HttpStatus.SERVICE_UNAVAILABLE,
  COMMAND_TIMEOUT: HttpStatus.SERVICE_UNAVAILABLE,
  IDEMPOTENCY_KEY_REUSED: HttpStatus.UNPROCESSABLE_ENTITY,
  IDEMPOTENCY_KEY_IN_USE: HttpStatus.CONFLICT,
  STAFF_ABSENT: HttpStatus.CONFLICT,
  ABSENCE_EXISTS: HttpStatus.CONFLICT,
  ABSENCE_PLAN_CHANGED: HttpStatus.CONFLICT,
};

const codeByStatus: Record<number, string> = {
  400: 'VALIDATION_FAILED',
  401: 'UNAUTHORIZED',
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
  405: 'METHOD_NOT_ALLOWED',
  408: 'REQUEST_TIMEOUT',
  409: 'CONFLICT',
  412: 'VERSION_CONFLICT',
  413: 'PAYLOAD_TOO_LARGE',
  414: 'URI_TOO_LONG',
  415: 'UNSUPPORTED_MEDIA_TYPE',
  429: 'RATE_LIMITED',
  431: 'HEADERS_TOO_LARGE',
};

/** The one place where errors become HTTP answers, always as `{"error":{"code","message","details"}}`. */
@Catch()
export class HttpExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('HttpExceptionFilter');

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const response = http.getResponse<Response>();
    const request = http.getRequest<Request>();
    const [status, body] = this.describe(exception);
    if (status >= 500) {
      this.logger.error({ message: 'request failed', method: request.method, path: request.path, error: String(exception), stack: (exception as Error)?.stack });
    }
    // A client that went away mid-request, or an answer already under way: nothing more can be said to it.
    if (response.headersSent || response.writableEnded || response.socket?.writable === false) return;
    if (exception instanceof RetryLaterError) response.setHeader('Retry-After', String(exception.retryAfterSeconds));
    response.status(status).json(body);
  }

  /** Also used where one request answers many errors, each on its own (POST /appointments/bulk). */
  describe(exception: unknown): [number, ErrorBody] {
    if (exception instanceof DomainError) {
      return [statusByCode[exception.code], errorBody(exception.code, exception.message, exception.details)];
    }
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      const response = exception.getResponse();
      if (typeof response === 'object' && response && 'error' in response && isErrorBody(response)) return [status, response];
      return [status, errorBody(codeByStatus[status] ?? 'HTTP_ERROR', exception.message)];
    }
    if (isClientAbort(exception)) {
      return [HttpStatus.BAD_REQUEST, errorBody('REQUEST_ABORTED', 'The request ended before its body was complete', { reason: 'request.aborted' })];
    }
    // body-parser and the router raise http-errors: a 4xx status, and for body-parser a `type` naming the problem.
    const clientError = exception as { type?: unknown; status?: unknown; message?: unknown };
    if (typeof clientError?.status === 'number' && clientError.status >= 400 && clientError.status < 500) {
      const reason = typeof clientError.type === 'string' ? clientError.type : 'http';
      const message = reason === 'entity.parse.failed' ? 'The request body is not valid JSON' : String(clientError.message).slice(0, 200);
      return [clientError.status, errorBody(codeByStatus[clientError.status] ?? 'VALIDATION_FAILED', message, { reason })];
    }
    return [HttpStatus.INTERNAL_SERVER_ERROR, errorBody('INTERNAL', 'Something went wrong on our side; nothing was changed unless the response said so')];
  }
}

/** The client closed the connection or sent less than its Content-Length: its mistake (or its network's), never a 500. */
function isClientAbort(exception: unknown): boolean {
  const error = exception as { code?: unknown; type?: unknown; message?: unknown };
  // body-parser's error, or the one Node's IncomingMessage emits (a database's ECONNRESET says something else).
  return error?.type === 'request.aborted' || (error?.code === 'ECONNRESET' && error?.message === 'aborted');
}

function isErrorBody(value: object): value is ErrorBody {
  const error = (value as { error?: unknown }).error;
  return typeof error === 'object' && error !== null && 'code' in error && 'message' in error;
}
