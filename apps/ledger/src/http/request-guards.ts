import { isUtf8 } from 'node:buffer';
import type { IncomingMessage } from 'node:http';
import { HttpException, HttpStatus } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { INHERITED_KEYS, jsonShapeProblem, MAX_JSON_DEPTH, textProblem, ValidationFailedError } from '#domain';
import { errorBody } from './error-body.js';

/**
 * Express middleware that refuses what no handler should see, before any parser or transformer walks it. Each one
 * answers through the exception filter, so every refusal has the `{"error":{code,message,details}}` shape.
 */

/** A request line longer than any URL this API hands out or reads (the longest, a list with a cursor, is < 1 KiB). */
export const MAX_URL_LENGTH = 8 * 1024;
/** Node's own default for all headers together; the server's parser limit is raised above it so this can answer. */
export const MAX_HEADERS_BYTES = 16 * 1024;
export const JSON_BODY_LIMIT = '256kb';
const MAX_QUERY_PARAMETERS = 20;
const MAX_QUERY_VALUE_LENGTH = 1000;
const QUERY_NAME = /^[A-Za-z][A-Za-z0-9_]{0,63}$/;

/**
 * HTTP/1.1 requires a Host header (RFC 9112, 3.2). Node refuses a request without one with an empty 400 of its own,
 * so the server lets it through (applyHttpServerLimits) and it is refused here, in the error shape.
 */
export function hostHeaderGuard(request: Request, _response: Response, next: NextFunction): void {
  if (request.httpVersion === '1.1' && request.headers.host === undefined) {
    return next(new HttpException(errorBody('BAD_REQUEST', 'An HTTP/1.1 request must have a Host header', { header: 'Host' }), HttpStatus.BAD_REQUEST));
  }
  next();
}

export function requestSizeGuard(request: Request, _response: Response, next: NextFunction): void {
  if (request.originalUrl.length > MAX_URL_LENGTH) {
    return next(new HttpException(errorBody('URI_TOO_LONG', `The URL is longer than ${MAX_URL_LENGTH} characters`, { limit: MAX_URL_LENGTH }), HttpStatus.URI_TOO_LONG));
  }
  const headerBytes = request.rawHeaders.reduce((total, part) => total + part.length + 2, 0);
  if (headerBytes > MAX_HEADERS_BYTES) {
    return next(new HttpException(errorBody('HEADERS_TOO_LARGE', `The headers are larger than ${MAX_HEADERS_BYTES} bytes`, { limit: MAX_HEADERS_BYTES }), 431));
  }
  next();
}

/**
 * Every query parameter is one plain string: no repeats (`?limit=1&limit=2`), no `a[b]` names (never read, so
 * never silently ignored), no NUL, control characters or unpaired surrogates (PostgreSQL refuses them with a 500).
 */
export function queryGuard(request: Request, _response: Response, next: NextFunction): void {
  const query = request.query as Record<string, unknown>;
  const names = Object.keys(query);
  if (names.length > MAX_QUERY_PARAMETERS) return next(new ValidationFailedError(`At most ${MAX_QUERY_PARAMETERS} query parameters are read`, { query: true }));
  for (const name of names) {
    const value = query[name];
    const field = name.slice(0, 64).replace(/[^\x20-\x7E]/g, '?');
    if (!QUERY_NAME.test(name)) return next(new ValidationFailedError(`Query parameter names are letters, digits and "_": "${field}" is not read`, { field }));
    if (Array.isArray(value)) return next(new ValidationFailedError(`${field} may be given once`, { field }));
    const problem = textProblem(value, { maxLength: MAX_QUERY_VALUE_LENGTH });
    if (problem) return next(new ValidationFailedError(`${field} ${problem}`, { field }));
  }
  next();
}

const BODY_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

const hasBody = (request: IncomingMessage): boolean =>
  request.headers['transfer-encoding'] !== undefined || (request.headers['content-length'] !== undefined && request.headers['content-length'] !== '0');

/**
 * A body in any other type than JSON would not be read at all: 415, rather than a 400 about missing fields.
 * `exceptPaths` read their own bodies (the Cal.com webhook takes form bodies too); compared as Express routes them,
 * ignoring case and a trailing slash.
 */
export function jsonContentTypeGuard(exceptPaths: readonly string[]) {
  const excepted = new Set(exceptPaths.map((path) => path.toLowerCase()));
  return (request: Request, _response: Response, next: NextFunction): void => {
    if (!BODY_METHODS.has(request.method) || !hasBody(request)) return next();
    const given = request.headers['content-type'] ?? '';
    // JSON (nearly every request) passes before the path is parsed to look for an excepted one.
    if (given.split(';')[0].trim().toLowerCase() === 'application/json' || excepted.has(request.path.replace(/\/+$/, '').toLowerCase())) return next();
    next(
      new HttpException(
        errorBody('UNSUPPORTED_MEDIA_TYPE', 'The body must be JSON, sent with Content-Type: application/json', {
          contentType: given.slice(0, 100),
          accepted: ['application/json'],
        }),
        HttpStatus.UNSUPPORTED_MEDIA_TYPE,
      ),
    );
  };
}

/** For the JSON parser's `verify`: bytes that are not UTF-8 would be read as U+FFFD and stored changed. */
export function refuseInvalidUtf8(_request: IncomingMessage, _response: unknown, body: Buffer): void {
  if (!isUtf8(body)) throw Object.assign(new Error('The request body is not valid UTF-8'), { status: 400, type: 'entity.encoding.invalid' });
}

/**
 * Right after the JSON parser, before the validation pipe transforms anything: the body is an object, at most
 * MAX_JSON_DEPTH deep (class-transformer recurses, so 5,000 levels would overflow the stack), with no key that
 * walks the prototype chain (`__proto__`, `constructor`, `prototype`) or names what every object inherits
 * (`__lookupSetter__`, `toString`: the whitelist of the validation pipe takes those for known fields).
 */
export function jsonBodyGuard(request: Request, _response: Response, next: NextFunction): void {
  const body: unknown = request.body;
  if (body === undefined) return next();
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    return next(new ValidationFailedError('The request body must be a JSON object', { reason: Array.isArray(body) ? 'array' : typeof body }));
  }
  const problem = jsonShapeProblem(body, MAX_JSON_DEPTH, INHERITED_KEYS);
  if (problem) return next(new ValidationFailedError(`The request body cannot be read: ${problem.reason}`, { reason: problem.reason, path: problem.path }));
  next();
}
