import fc from 'fast-check';
import { fitsInUrl, hostileString, percentEncode } from './hostile-values.js';

export interface IdRoute {
  method: string;
  path: (id: string) => string;
  body?: Record<string, unknown>;
}

export const ID_ROUTES: IdRoute[] = [
  { method: 'GET', path: (id) => `/appointments/${id}` },
  { method: 'GET', path: (id) => `/appointments/${id}/history` },
  { method: 'POST', path: (id) => `/appointments/${id}/reschedule`, body: { startsAt: '2031-06-02T10:00:00Z' } },
  { method: 'POST', path: (id) => `/appointments/${id}/cancel`, body: { reason: 'Rain' } },
  { method: 'POST', path: (id) => `/appointments/${id}/reassign`, body: { staffId: 'olivia' } },
  { method: 'POST', path: (id) => `/appointments/${id}/change-service`, body: { serviceId: 'assessment' } },
  { method: 'POST', path: (id) => `/appointments/${id}/sync`, body: {} },
  { method: 'PUT', path: (id) => `/staff/${id}`, body: { name: 'Path Fuzz', email: 'path@salon.example' } },
  { method: 'PUT', path: (id) => `/services/${id}`, body: { name: 'Path Fuzz', durationMinutes: 30, calcomEventTypeIds: {} } },
  { method: 'GET', path: (id) => `/conflicts/${id}` },
  { method: 'POST', path: (id) => `/conflicts/${id}/resolve`, body: { keep: 'ledger' } },
  { method: 'POST', path: (id) => `/drift/items/${id}/heal`, body: { keep: 'ledger' } },
  { method: 'POST', path: (id) => `/webhooks/calcom/facts/${id}/retry`, body: {} },
];

/** (d) Path ids as sent on the wire: percent-encoded NUL, dot segments, very long, unicode, prototype words. */
export const hostileId: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(
    '%00',
    'a%00b',
    '..',
    '.',
    '%2e%2e',
    '%2E',
    '..%2F..',
    '%2F',
    'a%2Fb',
    '%5C',
    '%ZZ',
    '%',
    '%C0%AF',
    '%FF',
    '%ED%A0%80',
    '%F0%9F%98%80',
    '__proto__',
    'constructor',
    'prototype',
    'hasOwnProperty',
    'toString',
    '%5F_proto__',
    'a;b',
    '%3B',
    '%3F',
    '~',
    '%20',
    'unmapped:x',
    'missing_booking:a1',
    'a:b',
    '-a',
    '_a',
  ),
  fc.integer({ min: 65, max: 12_000 }).map((length) => 'x'.repeat(length)),
  hostileString.filter(fitsInUrl).map(percentEncode),
  fc.string({ unit: 'binary', minLength: 1, maxLength: 20 }).map(percentEncode),
);

export const hostilePath = (): fc.Arbitrary<{ route: IdRoute; id: string }> => fc.record({ route: fc.constantFrom(...ID_ROUTES), id: hostileId });

/** Every route and the methods it serves; any other method on it must be a 405. */
export const ROUTES: { path: string; methods: string[] }[] = [
  { path: '/appointments', methods: ['GET', 'POST'] },
  { path: '/appointments/a1', methods: ['GET'] },
  { path: '/appointments/a1/history', methods: ['GET'] },
  { path: '/appointments/a1/reschedule', methods: ['POST'] },
  { path: '/appointments/a1/cancel', methods: ['POST'] },
  { path: '/appointments/a1/reassign', methods: ['POST'] },
  { path: '/appointments/a1/change-service', methods: ['POST'] },
  { path: '/appointments/a1/sync', methods: ['POST'] },
  { path: '/staff', methods: ['GET'] },
  { path: '/staff/sam', methods: ['PUT'] },
  { path: '/services', methods: ['GET'] },
  { path: '/services/cut', methods: ['PUT'] },
  { path: '/conflicts', methods: ['GET'] },
  { path: '/conflicts/c1', methods: ['GET'] },
  { path: '/conflicts/c1/resolve', methods: ['POST'] },
  { path: '/drift', methods: ['GET'] },
  { path: '/drift/history', methods: ['GET'] },
  { path: '/drift/check', methods: ['POST'] },
  { path: '/drift/items/unmapped:x/heal', methods: ['POST'] },
  { path: '/sync/status', methods: ['GET'] },
  { path: '/webhooks/calcom', methods: ['POST'] },
  { path: '/webhooks/calcom/facts', methods: ['GET'] },
  { path: '/webhooks/calcom/facts/00000000-0000-4000-8000-000000000000/retry', methods: ['POST'] },
  { path: '/notifications', methods: ['GET'] },
  { path: '/health', methods: ['GET'] },
  { path: '/metrics', methods: ['GET'] },
];

export const wrongMethod = (): fc.Arbitrary<{ method: string; path: string }> =>
  fc
    .constantFrom(...ROUTES)
    .chain((route) =>
      fc.constantFrom(...['GET', 'POST', 'PUT', 'PATCH', 'DELETE'].filter((method) => !route.methods.includes(method))).map((method) => ({ method, path: route.path })),
    );

/** Control characters other than tab: Node's parser refuses them in a header, so they are tried with the protocol errors. */
const CONTROL = /[\u0000-\u0008\u000A-\u001F\u007F]/g;

/** Header text a client can send (no control characters: those are protocol errors, tried separately). */
const headerText: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(
    '',
    ' ',
    '*',
    '"',
    '""',
    '"-1"',
    '"3',
    'W/"3"',
    '"99999999999"',
    '"1e3"',
    '"0x10"',
    '"3", "4"',
    'W/',
    'garbage',
    '"٣"',
    'Bearer',
    'Bearer ',
    'Basic YWRtaW46YWRtaW4=',
    '\t',
    'é',
    '€',
    '__proto__',
    '..',
  ),
  fc.string({ unit: 'binary-ascii', maxLength: 60 }).map((text) => text.replace(CONTROL, '')),
  fc.string({ unit: 'binary', maxLength: 20 }).map((text) => Buffer.from(text.replace(CONTROL, ''), 'utf8').toString('latin1')),
  fc.integer({ min: 200, max: 8_000 }).map((length) => 'a'.repeat(length)),
);

export const hostileHeaders = (): fc.Arbitrary<[string, string][]> =>
  fc.array(fc.tuple(fc.constantFrom('if-match', 'x-correlation-id', 'x-actor', 'authorization', 'accept', 'x-forwarded-for', 'x-request-id'), headerText), {
    minLength: 1,
    maxLength: 4,
  });

export interface ProtocolAbuse {
  what: string;
  method: string;
  target: string;
  headers: [string, string][];
  body?: string;
  ownFraming?: boolean;
  noHost?: boolean;
}

/** Bodies framed in ways HTTP/1.1 forbids or Node refuses: the classic request-smuggling shapes. */
const badFraming = fc.constantFrom<ProtocolAbuse>(
  {
    what: 'two different Content-Lengths',
    method: 'POST',
    target: '/appointments',
    headers: [
      ['content-type', 'application/json'],
      ['content-length', '2'],
      ['content-length', '3'],
    ],
    body: '{}',
    ownFraming: true,
  },
  {
    what: 'Content-Length: -1',
    method: 'POST',
    target: '/appointments',
    headers: [
      ['content-type', 'application/json'],
      ['content-length', '-1'],
    ],
    body: '{}',
    ownFraming: true,
  },
  {
    what: 'Content-Length: abc',
    method: 'POST',
    target: '/appointments',
    headers: [
      ['content-type', 'application/json'],
      ['content-length', 'abc'],
    ],
    body: '{}',
    ownFraming: true,
  },
  {
    what: 'chunked with a chunk size that is not hex',
    method: 'POST',
    target: '/appointments',
    headers: [
      ['content-type', 'application/json'],
      ['transfer-encoding', 'chunked'],
    ],
    body: 'zz\r\n{}\r\n0\r\n\r\n',
    ownFraming: true,
  },
  {
    what: 'chunked and a Content-Length',
    method: 'POST',
    target: '/appointments',
    headers: [
      ['content-type', 'application/json'],
      ['transfer-encoding', 'chunked'],
      ['content-length', '7'],
    ],
    body: '2\r\n{}\r\n0\r\n\r\n',
    ownFraming: true,
  },
  {
    what: 'Transfer-Encoding: gzip, chunked',
    method: 'POST',
    target: '/appointments',
    headers: [
      ['content-type', 'application/json'],
      ['transfer-encoding', 'gzip, chunked'],
    ],
    body: '2\r\n{}\r\n0\r\n\r\n',
    ownFraming: true,
  },
  { what: 'a header name with spaces', method: 'GET', target: '/staff', headers: [['x broken', 'value']] },
  { what: 'a space before the colon', method: 'GET', target: '/staff', headers: [['x-actor ', 'Ada']] },
  { what: 'no Host header', method: 'GET', target: '/staff', headers: [], noHost: true },
  {
    what: 'an Expect the server cannot meet',
    method: 'POST',
    target: '/appointments',
    headers: [
      ['content-type', 'application/json'],
      ['expect', 'x-nonsense'],
    ],
    body: '{}',
  },
  {
    what: 'an Upgrade nobody serves',
    method: 'GET',
    target: '/staff',
    headers: [
      ['connection', 'upgrade'],
      ['upgrade', 'websocket'],
    ],
  },
);

/** Requests Node's HTTP parser refuses before the app sees them: the answer must still be the error shape. */
export const protocolAbuse = (): fc.Arbitrary<ProtocolAbuse> =>
  fc.oneof(
    fc
      .integer({ min: 16_000, max: 100_000 })
      .map((length) => ({ what: `a ${length}-character URL`, method: 'GET', target: `/appointments?staffId=${'x'.repeat(length)}`, headers: [] })),
    fc.integer({ min: 16_000, max: 100_000 }).map((length) => ({ what: `a ${length}-character path`, method: 'GET', target: `/appointments/${'x'.repeat(length)}`, headers: [] })),
    fc
      .integer({ min: 17_000, max: 60_000 })
      .map((length): ProtocolAbuse => ({ what: `a ${length}-character X-Actor`, method: 'GET', target: '/staff', headers: [['x-actor', 'a'.repeat(length)]] })),
    fc
      .tuple(fc.constantFrom('x-actor', 'if-match', 'x-correlation-id', 'authorization'), fc.constantFrom('\u0000', '\u0001', '\u001b', '\u007f', '\u000b'))
      .map(([name, control]): ProtocolAbuse => ({
        what: `${JSON.stringify(control)} in ${name}`,
        method: 'POST',
        target: '/appointments/a1/cancel',
        headers: [[name, `a${control}b`]],
      })),
    fc
      .constantFrom('/appointments/a b', '/appointments/a\u0000b', '/appointments/\u007f', '/appointments/é', '/appointments/😀', '/staff\t')
      .map((target) => ({ what: 'a raw control or non-ASCII character in the target', method: 'GET', target, headers: [] })),
    badFraming,
  );

/** Paths nobody routes, or routes written oddly: dot segments, doubled or trailing slashes, other cases, encoded slashes. */
export const oddTarget: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(
    '/',
    '//',
    '/appointments/',
    '//appointments',
    '/APPOINTMENTS',
    '/appointments/a1/',
    '/appointments/a1//history',
    '/appointments/a1/../../staff',
    '/docs/../health',
    '/webhooks/calcom/../../staff',
    '/%2e%2e/health',
    '/appointments%2Fa1',
    '/appointments/a1%2Fhistory',
    '/staff;x=1',
    '/staff?',
    '/staff#frag',
    '/health/',
    '/metrics/x',
    '/webhooks/calcom/facts/',
    '/appointments/a1/history/x',
    '/__proto__',
    '/constructor/prototype',
    '/*',
    '/.env',
  ),
  fc
    .array(hostileId, { minLength: 1, maxLength: 4 })
    .map((segments) => `/${segments.join('/')}`)
    .filter((target) => target.length < 14_000),
);
