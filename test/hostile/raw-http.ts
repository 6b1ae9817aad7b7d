import { connect } from 'node:net';

export interface RawRequest {
  method: string;
  /** The request target exactly as sent: not normalised, not re-encoded (`/a/../b`, `%00`, raw UTF-8 all go through). */
  target: string;
  headers?: [string, string][];
  body?: Buffer | string;
  /** Declare this Content-Length instead of the body's real length (a short body: the client stops early). */
  declaredLength?: number;
  /** Send no Content-Length of our own: the headers given say how the body is framed (or lie about it). */
  ownFraming?: boolean;
  /** Leave out the Host header HTTP/1.1 requires. */
  noHost?: boolean;
}

export interface RawAnswer {
  status: number;
  headers: Record<string, string>;
  text: string;
}

export class NoAnswer extends Error {}

const ANSWER_TIMEOUT_MS = 15_000;

/**
 * One HTTP/1.1 request over a fresh socket, bytes as given. `fetch` refuses NUL in headers, normalises `..` in paths
 * and re-encodes targets; a hostile client does none of that. Rejects with NoAnswer when the server closes without
 * a status line or says nothing for 15 s: an empty answer is a finding, not a network hiccup.
 */
export function rawRequest(baseUrl: string, request: RawRequest): Promise<RawAnswer> {
  const { hostname, port } = new URL(baseUrl);
  const body = request.body === undefined ? undefined : Buffer.isBuffer(request.body) ? request.body : Buffer.from(request.body, 'utf8');
  const length = request.ownFraming ? undefined : (request.declaredLength ?? body?.length);
  const head = [
    `${request.method} ${request.target} HTTP/1.1`,
    ...(request.noHost ? [] : [`host: ${hostname}:${port}`]),
    'connection: close',
    ...(length === undefined ? [] : [`content-length: ${length}`]),
    ...(request.headers ?? []).map(([name, value]) => `${name}: ${value}`),
    '',
    '',
  ].join('\r\n');
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const socket = connect({ host: hostname, port: Number(port) });
    const timer = setTimeout(() => finish(new NoAnswer(`no answer within ${ANSWER_TIMEOUT_MS} ms`)), ANSWER_TIMEOUT_MS);
    let done = false;
    const finish = (error?: Error) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.destroy();
      const received = Buffer.concat(chunks);
      try {
        resolve(parseAnswer(received));
      } catch (parseError) {
        reject(new NoAnswer(`${(parseError as Error).message}${error ? ` (${error.message})` : ''}; received ${JSON.stringify(received.subarray(0, 200).toString('latin1'))}`));
      }
    };
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('end', () => finish());
    socket.on('close', () => finish());
    socket.on('error', (error) => finish(error));
    socket.write(Buffer.from(head, 'utf8'));
    if (body) socket.write(body);
    // A declared length longer than the body: the client gives up sending, but still waits for an answer.
    if (request.declaredLength !== undefined && body && request.declaredLength > body.length) socket.end();
  });
}

function parseAnswer(received: Buffer): RawAnswer {
  const end = received.indexOf('\r\n\r\n');
  if (end < 0) throw new Error('the server closed the connection without an HTTP answer');
  const [statusLine, ...headerLines] = received.subarray(0, end).toString('latin1').split('\r\n');
  const status = /^HTTP\/1\.[01] (\d{3})/.exec(statusLine);
  if (!status) throw new Error(`not an HTTP status line: ${statusLine}`);
  const headers: Record<string, string> = {};
  for (const line of headerLines) {
    const colon = line.indexOf(':');
    if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  let body = received.subarray(end + 4);
  if (/chunked/i.test(headers['transfer-encoding'] ?? '')) body = dechunk(body);
  else if (headers['content-length'] !== undefined) body = body.subarray(0, Number(headers['content-length']));
  return { status: Number(status[1]), headers, text: body.toString('utf8') };
}

function dechunk(body: Buffer): Buffer {
  const parts: Buffer[] = [];
  let at = 0;
  for (;;) {
    const lineEnd = body.indexOf('\r\n', at);
    if (lineEnd < 0) break;
    const size = parseInt(body.subarray(at, lineEnd).toString('latin1'), 16);
    if (!size) break;
    parts.push(body.subarray(lineEnd + 2, lineEnd + 2 + size));
    at = lineEnd + 2 + size + 2;
  }
  return Buffer.concat(parts);
}
