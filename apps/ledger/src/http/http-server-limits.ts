import { type IncomingMessage, type Server, type ServerResponse, STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import { errorBody } from './error-body.js';
import { MAX_HEADERS_BYTES, MAX_URL_LENGTH } from './request-guards.js';

/**
 * What Node's HTTP server answers on its own (a request it cannot parse, headers past its limit, a body that never
 * finishes) is an empty response. Here those answers get the error shape too, and the parser's limit sits above
 * the API's own (MAX_URL_LENGTH, MAX_HEADERS_BYTES) so that an over-long URL reaches requestSizeGuard and gets its
 * precise 414 or 431; only requests past this bigger limit are cut off here.
 */
export const PARSER_HEADER_LIMIT_BYTES = 4 * (MAX_URL_LENGTH + MAX_HEADERS_BYTES);

/** A request whose body has not arrived in full by then is answered 408 (Node's default is 5 minutes). */
export const REQUEST_TIMEOUT_MS = 30_000;

export function applyHttpServerLimits(server: Server, { requestTimeoutMs = REQUEST_TIMEOUT_MS } = {}): void {
  // Read by Node for every new connection; the documented way is the createServer option, which Nest does not pass.
  (server as Server & { maxHeaderSize: number }).maxHeaderSize = PARSER_HEADER_LIMIT_BYTES;
  server.requestTimeout = requestTimeoutMs;
  // Node's request timeout did not fire here while the headers' one (60 s by default) was the longer: keep them equal.
  server.headersTimeout = Math.min(server.headersTimeout, requestTimeoutMs);
  server.on('clientError', answerClientError);
  // Node answers a request without Host with an empty 400; hostHeaderGuard refuses it in the error shape instead.
  (server as Server & { requireHostHeader: boolean }).requireHostHeader = false;
  // Without a listener Node answers an unknown `Expect` with an empty 417; with one, the request goes no further.
  server.on('checkExpectation', answerUnmetExpectation);
}

function answerUnmetExpectation(request: IncomingMessage, response: ServerResponse): void {
  const body = JSON.stringify(
    errorBody('EXPECTATION_FAILED', 'Only "Expect: 100-continue" is supported', { header: 'Expect', value: String(request.headers.expect ?? '').slice(0, 100) }),
  );
  request.resume();
  response.writeHead(417, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(body), Connection: 'close' });
  response.end(body);
}

function answerClientError(error: Error & { code?: string }, socket: Duplex): void {
  const response = (socket as Duplex & { _httpMessage?: { headersSent?: boolean } })._httpMessage;
  if (error.code === 'ECONNRESET' || !socket.writable || response?.headersSent) {
    socket.destroy();
    return;
  }
  const [status, code, message] = describe(error.code);
  const body = JSON.stringify(errorBody(code, message, { reason: error.code ?? 'unknown' }));
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: application/json; charset=utf-8\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}

function describe(code: string | undefined): [number, string, string] {
  switch (code) {
    case 'HPE_HEADER_OVERFLOW':
      return [431, 'HEADERS_TOO_LARGE', `The request line and headers are larger than ${PARSER_HEADER_LIMIT_BYTES} bytes`];
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return [408, 'REQUEST_TIMEOUT', 'The request did not arrive in full in time (a body shorter than its Content-Length?)'];
    case 'HPE_INVALID_EOF_STATE':
      return [400, 'REQUEST_ABORTED', 'The connection ended before the request was complete (a body shorter than its Content-Length?)'];
    case 'HPE_CHUNK_EXTENSIONS_OVERFLOW':
      return [413, 'PAYLOAD_TOO_LARGE', 'The chunk extensions are too large'];
    default:
      return [400, 'BAD_REQUEST', 'The request is not valid HTTP/1.1'];
  }
}
