import { rateLimitResetMs } from './calcom-rate-limit-headers.js';

export type CalcomErrorKind = 'retryable' | 'permanent';

export type CalcomErrorCode =
  | 'CALCOM_RATE_LIMITED'
  | 'CALCOM_TIMEOUT'
  | 'CALCOM_NETWORK'
  | 'CALCOM_SERVER_ERROR'
  | 'CALCOM_BAD_RESPONSE'
  | 'CALCOM_REJECTED'
  | 'CALCOM_CONFLICT'
  | 'CALCOM_NOT_FOUND'
  | 'CALCOM_UNAUTHORIZED'
  | 'CALCOM_FORBIDDEN';

/** Which call failed; kept on the error so a sync failure event can say what Cal.com was asked. */
export interface CalcomRequestInfo {
  operation: string;
  method: string;
  path: string;
}

export interface CalcomErrorInit extends CalcomRequestInfo {
  code: CalcomErrorCode;
  kind: CalcomErrorKind;
  message: string;
  status?: number;
  retryAfterMs?: number;
  outcomeUnknown?: boolean;
  calcomCode?: string;
  details?: unknown;
}

/**
 * A failed Cal.com call. `message` is Cal.com's own message, verbatim, when it sent one.
 * `outcomeUnknown` means the request may have reached Cal.com and taken effect: read Cal.com before repeating a mutation.
 */
export class CalcomError extends Error {
  override readonly name = 'CalcomError';
  readonly code: CalcomErrorCode;
  readonly kind: CalcomErrorKind;
  readonly status?: number;
  readonly retryAfterMs?: number;
  readonly outcomeUnknown: boolean;
  /** Cal.com's `error.code`, e.g. `BadRequestException`, `ThrottlerException`. */
  readonly calcomCode?: string;
  readonly details?: unknown;
  readonly operation: string;
  readonly method: string;
  readonly path: string;

  constructor(init: CalcomErrorInit) {
    super(init.message);
    this.code = init.code;
    this.kind = init.kind;
    this.status = init.status;
    this.retryAfterMs = init.retryAfterMs;
    this.outcomeUnknown = init.outcomeUnknown ?? false;
    this.calcomCode = init.calcomCode;
    this.details = init.details;
    this.operation = init.operation;
    this.method = init.method;
    this.path = init.path;
  }

  get retryable(): boolean {
    return this.kind === 'retryable';
  }

  /** JSON-safe, for events and logs. */
  toJSON(): Record<string, unknown> {
    return {
      code: this.code,
      kind: this.kind,
      message: this.message,
      status: this.status,
      retryAfterMs: this.retryAfterMs,
      outcomeUnknown: this.outcomeUnknown,
      calcomCode: this.calcomCode,
      operation: this.operation,
      method: this.method,
      path: this.path,
    };
  }
}

export function isCalcomError(error: unknown): error is CalcomError {
  return error instanceof CalcomError;
}

export interface CalcomHttpFailure {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** Classifies a non-2xx answer. Only 429 and 5xx are worth repeating; any other 4xx will fail the same way again. */
export function classifyHttpFailure(request: CalcomRequestInfo, failure: CalcomHttpFailure, nowMs = Date.now()): CalcomError {
  const { status } = failure;
  const said = calcomErrorBody(failure.body);
  const message = said.message ?? `Cal.com answered HTTP ${status}`;
  const common = { ...request, status, message, calcomCode: said.code, details: said.details };
  if (status === 429) {
    return new CalcomError({ ...common, code: 'CALCOM_RATE_LIMITED', kind: 'retryable', retryAfterMs: rateLimitResetMs(failure.headers, nowMs) });
  }
  // A 5xx can come after Cal.com already wrote the booking (e.g. a failing calendar or email step).
  if (status >= 500) return new CalcomError({ ...common, code: 'CALCOM_SERVER_ERROR', kind: 'retryable', outcomeUnknown: true });
  return new CalcomError({ ...common, code: permanentCode(status), kind: 'permanent' });
}

function permanentCode(status: number): CalcomErrorCode {
  // 498 is Cal.com's "access token expired" for managed-user tokens.
  if (status === 401 || status === 498) return 'CALCOM_UNAUTHORIZED';
  if (status === 403) return 'CALCOM_FORBIDDEN';
  if (status === 404) return 'CALCOM_NOT_FOUND';
  if (status === 409) return 'CALCOM_CONFLICT';
  return 'CALCOM_REJECTED';
}

/** Errors raised before or without a response: DNS, connection, socket, timeout. */
export function classifyTransportFailure(request: CalcomRequestInfo, error: { code?: string; name?: string; message: string }): CalcomError {
  if (error.name === 'TimeoutError' || error.code === 'ETIMEDOUT') {
    return new CalcomError({ ...request, code: 'CALCOM_TIMEOUT', kind: 'retryable', outcomeUnknown: true, message: error.message });
  }
  return new CalcomError({
    ...request,
    code: 'CALCOM_NETWORK',
    kind: 'retryable',
    outcomeUnknown: !NEVER_SENT_CODES.has(error.code ?? ''),
    message: error.message,
    details: error.code ? { errno: error.code } : undefined,
  });
}

/** A 2xx whose body is not Cal.com's success envelope: the call may well have taken effect. */
export function badResponse(request: CalcomRequestInfo, status: number, reason: string): CalcomError {
  return new CalcomError({ ...request, status, code: 'CALCOM_BAD_RESPONSE', kind: 'retryable', outcomeUnknown: true, message: reason });
}

/** Failures where the request provably never left this machine, so nothing can have happened on Cal.com. */
const NEVER_SENT_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ENETUNREACH', 'EHOSTUNREACH']);

interface CalcomErrorBody {
  message?: string;
  code?: string;
  details?: unknown;
}

/**
 * Cal.com answers `{status:"error", error:{code, message, details}}`; Nest's default filter answers
 * `{statusCode, message, error}`; a proxy may answer HTML. Keep whatever message there is, unchanged.
 */
function calcomErrorBody(body: string): CalcomErrorBody {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    const text = body.trim();
    return text ? { message: text.slice(0, 500) } : {};
  }
  if (!isRecord(parsed)) return {};
  const nested = isRecord(parsed.error) ? parsed.error : undefined;
  const message = messageText(nested?.message) ?? messageText(parsed.message) ?? (typeof parsed.error === 'string' ? parsed.error : undefined);
  const code = typeof nested?.code === 'string' ? nested.code : typeof parsed.error === 'string' ? parsed.error : undefined;
  return { message, code, details: nested?.details };
}

function messageText(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (Array.isArray(value) && value.every((item) => typeof item === 'string')) return value.join('; ');
  return undefined;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
