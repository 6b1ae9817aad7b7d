import { CalcomError, classifyHttpFailure, classifyTransportFailure } from '../src/calcom.errors.js';
import { rateLimitResetMs } from '../src/calcom-rate-limit-headers.js';

const request = { operation: 'createBooking', method: 'POST', path: '/v2/bookings' };
const NOW = Date.parse('2026-05-01T10:00:00Z');

function calcomBody(code: string, message: string): string {
  return JSON.stringify({ status: 'error', timestamp: '2026-05-01T10:00:00Z', path: '/v2/bookings', error: { code, message } });
}

describe('classifying a Cal.com answer that is not 2xx', () => {
  test('400 is permanent and keeps Cal.com message verbatim', () => {
    const message = 'User either already has booking at this time or is not available';
    const error = classifyHttpFailure(request, { status: 400, headers: {}, body: calcomBody('BadRequestException', message) });
    expect(error).toBeInstanceOf(CalcomError);
    expect(error).toMatchObject({ kind: 'permanent', code: 'CALCOM_REJECTED', status: 400, message, calcomCode: 'BadRequestException', outcomeUnknown: false });
  });

  test.each([
    [401, 'CALCOM_UNAUTHORIZED'],
    [498, 'CALCOM_UNAUTHORIZED'],
    [403, 'CALCOM_FORBIDDEN'],
    [404, 'CALCOM_NOT_FOUND'],
    [409, 'CALCOM_CONFLICT'],
    [422, 'CALCOM_REJECTED'],
  ])('%i is permanent: %s', (status, code) => {
    const error = classifyHttpFailure(request, { status, headers: {}, body: calcomBody('X', 'nope') });
    expect(error).toMatchObject({ kind: 'permanent', code, status, message: 'nope' });
    expect(error.retryable).toBe(false);
  });

  test('429 is retryable, with retryAfterMs from X-RateLimit-Reset-Default seconds', () => {
    const body = calcomBody('ThrottlerException', 'CustomThrottlerGuard - Too many requests. Please try again later.');
    const error = classifyHttpFailure(request, { status: 429, headers: { 'x-ratelimit-reset-default': '42' }, body }, NOW);
    expect(error).toMatchObject({ kind: 'retryable', code: 'CALCOM_RATE_LIMITED', retryAfterMs: 42_000, outcomeUnknown: false });
    expect(error.message).toBe('CustomThrottlerGuard - Too many requests. Please try again later.');
  });

  test('429 without a reset header has no retryAfterMs (the caller backs off on its own)', () => {
    const error = classifyHttpFailure(request, { status: 429, headers: {}, body: '' });
    expect(error.code).toBe('CALCOM_RATE_LIMITED');
    expect(error.retryAfterMs).toBeUndefined();
  });

  test.each([500, 502, 503, 504])('%i is retryable and may have taken effect', (status) => {
    const error = classifyHttpFailure(request, { status, headers: {}, body: calcomBody('InternalServerErrorException', 'boom') });
    expect(error).toMatchObject({ kind: 'retryable', code: 'CALCOM_SERVER_ERROR', outcomeUnknown: true, message: 'boom' });
  });

  test("a proxy's HTML page and Nest's default error shape still yield a message", () => {
    expect(classifyHttpFailure(request, { status: 502, headers: {}, body: '<html>Bad gateway</html>' }).message).toBe('<html>Bad gateway</html>');
    const nest = JSON.stringify({ statusCode: 400, message: ['start must be a date', 'attendee.name is required'], error: 'Bad Request' });
    expect(classifyHttpFailure(request, { status: 400, headers: {}, body: nest }).message).toBe('start must be a date; attendee.name is required');
    expect(classifyHttpFailure(request, { status: 400, headers: {}, body: '' }).message).toBe('Cal.com answered HTTP 400');
  });

  test('toJSON is plain data for an event', () => {
    const error = classifyHttpFailure(request, { status: 404, headers: {}, body: calcomBody('NotFoundException', 'Booking with uid=x not found') });
    expect(JSON.parse(JSON.stringify(error))).toMatchObject({ code: 'CALCOM_NOT_FOUND', kind: 'permanent', status: 404, operation: 'createBooking' });
  });
});

describe('classifying a failure without an answer', () => {
  test('a timeout is retryable and flagged outcomeUnknown', () => {
    const error = classifyTransportFailure(request, { name: 'TimeoutError', code: 'ETIMEDOUT', message: "Timeout awaiting 'request' for 100ms" });
    expect(error).toMatchObject({ kind: 'retryable', code: 'CALCOM_TIMEOUT', outcomeUnknown: true });
  });

  test('a refused connection is retryable and certainly had no effect', () => {
    const error = classifyTransportFailure(request, { name: 'RequestError', code: 'ECONNREFUSED', message: 'connect ECONNREFUSED' });
    expect(error).toMatchObject({ kind: 'retryable', code: 'CALCOM_NETWORK', outcomeUnknown: false });
  });

  test('a connection reset mid-request is retryable and may have taken effect', () => {
    const error = classifyTransportFailure(request, { name: 'RequestError', code: 'ECONNRESET', message: 'socket hang up' });
    expect(error).toMatchObject({ kind: 'retryable', code: 'CALCOM_NETWORK', outcomeUnknown: true });
  });
});

describe('reading the rate-limit reset', () => {
  test('seconds remaining, as Cal.com sends', () => {
    expect(rateLimitResetMs({ 'x-ratelimit-reset-default': '60' }, NOW)).toBe(60_000);
    expect(rateLimitResetMs({ 'x-ratelimit-reset-default': '0.5' }, NOW)).toBe(500);
  });

  test('a Unix timestamp in seconds or milliseconds, as one third-party page claims', () => {
    expect(rateLimitResetMs({ 'x-ratelimit-reset-default': String(NOW / 1000 + 30) }, NOW)).toBe(30_000);
    expect(rateLimitResetMs({ 'x-ratelimit-reset-default': String(NOW + 1500) }, NOW)).toBe(1500);
  });

  test('a custom-named limit or the unsuffixed header when no Default is sent; nothing when absent or junk', () => {
    expect(rateLimitResetMs({ 'x-ratelimit-reset-long': '7' }, NOW)).toBe(7000);
    expect(rateLimitResetMs({ 'x-ratelimit-reset': '3' }, NOW)).toBe(3000);
    expect(rateLimitResetMs({ 'x-ratelimit-reset-default': '9', 'x-ratelimit-reset-long': '7' }, NOW)).toBe(9000);
    expect(rateLimitResetMs({}, NOW)).toBeUndefined();
    expect(rateLimitResetMs({ 'x-ratelimit-reset-default': 'soon' }, NOW)).toBeUndefined();
  });
});
