import fc from 'fast-check';
import {
  deepJsonText,
  hostileDateTime,
  hostileJson,
  hostileKey,
  hostileLeaf,
  hostileNumberText,
  hostileString,
  impossibleDateTime,
  jsonString,
  jsonText,
  literal,
  PROTOTYPE_WORDS,
  toNode,
  unstorableString,
  type JsonNode,
} from './hostile-values.js';

/** What the suite's ledger holds before the hostile requests start: ids that exist, so commands get past a 404. */
export interface Fixtures {
  /** Appointments any command may target. */
  appointmentIds: string[];
  /** Appointments only the cancel command targets, so the others stay open to reschedules and reassigns. */
  cancellableIds: string[];
  /** A `nextCursor` the API handed out. */
  realCursor: string;
}

export interface CommandEndpoint {
  name: string;
  method: 'POST' | 'PUT';
  target: (fixtures: Fixtures) => fc.Arbitrary<string>;
  validBody: fc.Arbitrary<Record<string, unknown>>;
  /** The body is read only for validation: an invalid one must be refused. */
  bodyIsChecked: boolean;
}

/** Starts that a valid body may ask for: far enough ahead and spread out, so most do not collide. */
const futureStart = fc
  .tuple(fc.integer({ min: 30, max: 3_000 }), fc.integer({ min: 0, max: 4 * 24 - 1 }), fc.constantFrom('Z', '+02:00', '-05:30', '+14:00'))
  .map(([days, quarter, offset]) => {
    const date = new Date(Date.UTC(2026, 0, 1) + days * 86_400_000 + quarter * 900_000);
    if (date.getTime() < Date.now() + 30 * 86_400_000) date.setUTCFullYear(date.getUTCFullYear() + 2);
    return date.toISOString().slice(0, 19) + offset;
  });

const reason = fc.constantFrom('Customer asked', 'Staff ill', 'Moved by the fuzz suite');
const anyAppointment = (fixtures: Fixtures) => fc.constantFrom(...fixtures.appointmentIds);

export const COMMAND_ENDPOINTS: CommandEndpoint[] = [
  {
    name: 'schedule',
    method: 'POST',
    target: () => fc.constant('/appointments'),
    validBody: fc.record(
      {
        serviceId: fc.constant('consultation'),
        staffId: fc.constant('olivia'),
        startsAt: futureStart,
        customer: fc.record(
          { name: fc.constant('Ada Lovelace'), email: fc.constant('ada@example.com'), timeZone: fc.constantFrom('Europe/London', 'Asia/Kolkata'), phone: fc.constant('+44 20 7946 0000') },
          { requiredKeys: ['name', 'email', 'timeZone'] },
        ),
        notes: fc.constant('Window seat'),
      },
      { requiredKeys: ['serviceId', 'staffId', 'startsAt', 'customer'] },
    ),
    bodyIsChecked: true,
  },
  {
    name: 'reschedule',
    method: 'POST',
    target: (fixtures) => anyAppointment(fixtures).map((id) => `/appointments/${id}/reschedule`),
    validBody: fc.record({ startsAt: futureStart, reason }, { requiredKeys: ['startsAt'] }),
    bodyIsChecked: true,
  },
  {
    name: 'cancel',
    method: 'POST',
    target: (fixtures) => fc.constantFrom(...fixtures.cancellableIds).map((id) => `/appointments/${id}/cancel`),
    validBody: fc.record({ reason }),
    bodyIsChecked: true,
  },
  {
    name: 'reassign',
    method: 'POST',
    target: (fixtures) => anyAppointment(fixtures).map((id) => `/appointments/${id}/reassign`),
    validBody: fc.record({ staffId: fc.constantFrom('olivia', 'hugo'), reason }, { requiredKeys: ['staffId'] }),
    bodyIsChecked: true,
  },
  {
    name: 'change-service',
    method: 'POST',
    target: (fixtures) => anyAppointment(fixtures).map((id) => `/appointments/${id}/change-service`),
    validBody: fc.record({ serviceId: fc.constantFrom('consultation', 'assessment'), reason }, { requiredKeys: ['serviceId'] }),
    bodyIsChecked: true,
  },
  {
    name: 'save staff',
    method: 'PUT',
    // Staff of the suite's own, so the catalog the final webhook check relies on stays as it was.
    target: () => fc.constantFrom('/staff/fuzz-staff', '/staff/fuzz-staff-2'),
    validBody: fc.record({ name: fc.constant('Fuzz Staff'), email: fc.constant('fuzz@salon.example'), calcomUserId: fc.integer({ min: 1000, max: 9999 }) }, { requiredKeys: ['name', 'email'] }),
    bodyIsChecked: true,
  },
  {
    name: 'save service',
    method: 'PUT',
    target: () => fc.constantFrom('/services/fuzz-service', '/services/fuzz-service-2'),
    validBody: fc.record({ name: fc.constant('Fuzz service'), durationMinutes: fc.integer({ min: 5, max: 1440 }), calcomEventTypeIds: fc.constant({ 'fuzz-staff': 9001 }) }),
    bodyIsChecked: true,
  },
  {
    name: 'resolve conflict',
    method: 'POST',
    target: () => fc.constantFrom('/conflicts/conflict-1/resolve', '/conflicts/none/resolve'),
    validBody: fc.record({ keep: fc.constantFrom('ledger', 'calcom') }),
    bodyIsChecked: true,
  },
  {
    name: 'drift check',
    method: 'POST',
    target: () => fc.constant('/drift/check'),
    validBody: fc.record({ mode: fc.constantFrom('full', 'incremental') }, { requiredKeys: [] }),
    bodyIsChecked: true,
  },
  {
    name: 'sync now',
    method: 'POST',
    target: (fixtures) => anyAppointment(fixtures).map((id) => `/appointments/${id}/sync`),
    validBody: fc.constant({}),
    bodyIsChecked: false,
  },
];

export interface BodyRequest {
  endpoint: string;
  method: string;
  target: string;
  body: string;
}

const endpointRequest = (fixtures: Fixtures, endpoints: CommandEndpoint[], body: (endpoint: CommandEndpoint) => fc.Arbitrary<string>) =>
  fc.constantFrom(...endpoints).chain((endpoint) =>
    fc.record({ endpoint: fc.constant(endpoint.name), method: fc.constant(endpoint.method), target: endpoint.target(fixtures), body: body(endpoint) }),
  );

/** (a) Any JSON at all, to every command endpoint. */
export const randomJsonCommand = (fixtures: Fixtures): fc.Arbitrary<BodyRequest> =>
  endpointRequest(fixtures, COMMAND_ENDPOINTS, () => hostileJson.map(jsonText));

// ---- mutations of a valid body ----

type Path = string[];

interface Mutation {
  kind: 'replace' | 'remove' | 'add';
  path: Path;
  key?: string;
  value?: JsonNode;
}

/** Every path into a tree: leaves to replace or remove, objects to add a key to. */
function pathsOf(node: JsonNode, path: Path = []): { leaves: Path[]; objects: Path[] } {
  if (node.kind !== 'object') return { leaves: path.length ? [path] : [], objects: [] };
  const found = { leaves: path.length ? [path] : ([] as Path[]), objects: [path] };
  for (const [key, value] of node.entries) {
    const inner = pathsOf(value, [...path, key]);
    found.leaves.push(...inner.leaves);
    found.objects.push(...inner.objects);
  }
  return found;
}

export function applyMutation(node: JsonNode, mutation: Mutation, depth = 0): JsonNode {
  if (node.kind !== 'object') return node;
  const last = depth === mutation.path.length;
  if (last && mutation.kind === 'add') return { kind: 'object', entries: [...node.entries, [mutation.key!, mutation.value!]] };
  const key = mutation.path[depth];
  const entries = node.entries.flatMap(([name, value]): [string, JsonNode][] => {
    if (name !== key) return [[name, value]];
    if (depth === mutation.path.length - 1 && mutation.kind === 'remove') return [];
    if (depth === mutation.path.length - 1 && mutation.kind === 'replace') return [[name, mutation.value!]];
    return [[name, applyMutation(value, mutation, depth + 1)]];
  });
  return { kind: 'object', entries };
}

/** A hostile value for one field: odd leaves, dates, any JSON, or the field's own value wrapped in an array or object. */
const hostileFieldValue: fc.Arbitrary<JsonNode> = fc.oneof(
  { weight: 4, arbitrary: hostileLeaf },
  { weight: 2, arbitrary: hostileDateTime.map(jsonString) },
  { weight: 1, arbitrary: hostileJson },
  { weight: 1, arbitrary: hostileLeaf.map((item): JsonNode => ({ kind: 'array', items: [item] })) },
  { weight: 1, arbitrary: hostileLeaf.map((item): JsonNode => ({ kind: 'object', entries: [['value', item]] })) },
);

/** One field of a valid body replaced, removed, or one key added: everything else stays valid. */
export function mutationOf(body: JsonNode, value: fc.Arbitrary<JsonNode> = hostileFieldValue): fc.Arbitrary<Mutation> {
  const { leaves, objects } = pathsOf(body);
  const options: fc.Arbitrary<Mutation>[] = [fc.record({ kind: fc.constant('add' as const), path: fc.constantFrom(...objects), key: hostileKey, value })];
  if (leaves.length > 0) {
    options.push(
      fc.record({ kind: fc.constant('replace' as const), path: fc.constantFrom(...leaves), value }),
      fc.record({ kind: fc.constant('replace' as const), path: fc.constantFrom(...leaves), value }),
      fc.record({ kind: fc.constant('remove' as const), path: fc.constantFrom(...leaves) }),
    );
  }
  return fc.oneof(...options);
}

/** (a) A valid body with one hostile field. */
export const mutatedCommand = (fixtures: Fixtures): fc.Arbitrary<BodyRequest> =>
  endpointRequest(fixtures, COMMAND_ENDPOINTS, (endpoint) =>
    endpoint.validBody.map(toNode).chain((valid) => mutationOf(valid).map((mutation) => jsonText(applyMutation(valid, mutation)))),
  );

/**
 * A valid body with one value no rule allows: NUL or a lone surrogate in any string, an impossible date-time, a
 * prototype word as a key, an integer no column can hold. The ledger must refuse every one (nothing invalid becomes
 * an event).
 */
export const invalidCommand = (fixtures: Fixtures): fc.Arbitrary<BodyRequest & { why: string }> =>
  fc.constantFrom(...COMMAND_ENDPOINTS.filter((endpoint) => endpoint.bodyIsChecked)).chain((endpoint) =>
    endpoint.validBody.map(toNode).chain((valid) => {
      const { leaves, objects } = pathsOf(valid);
      const leafOf = (kind: JsonNode['kind'], name?: (path: Path) => boolean) =>
        leaves.filter((path) => {
          const found = nodeAt(valid, path);
          return found?.kind === kind && (!name || name(path));
        });
      const strings = leafOf('string', (path) => path[path.length - 1] !== 'startsAt');
      const dates = leafOf('string', (path) => path[path.length - 1] === 'startsAt');
      const numbers = leafOf('literal', (path) => nodeAt(valid, path)?.kind === 'literal' && /^\d/.test((nodeAt(valid, path) as { text: string }).text));
      const options: fc.Arbitrary<{ mutation: Mutation; why: string }>[] = [
        fc.record({ path: fc.constantFrom(...objects), key: fc.constantFrom(...PROTOTYPE_WORDS) }).map(({ path, key }) => ({
          mutation: { kind: 'add', path, key, value: literal('{"polluted":true}') },
          why: `the key ${key}`,
        })),
      ];
      if (strings.length) options.push(fc.record({ path: fc.constantFrom(...strings), text: unstorableString }).map(({ path, text }) => ({ mutation: { kind: 'replace', path, value: jsonString(text) }, why: 'NUL or a lone surrogate' })));
      if (dates.length) options.push(fc.record({ path: fc.constantFrom(...dates), date: impossibleDateTime }).map(({ path, date }) => ({ mutation: { kind: 'replace', path, value: jsonString(date) }, why: 'an impossible date-time' })));
      if (numbers.length) {
        options.push(
          fc.record({ path: fc.constantFrom(...numbers), number: fc.constantFrom('9007199254740993', '1e308', '1e309', '-1', '0', '0.5', '-0', '123456789012345678901234567890') }).map(({ path, number }) => ({
            mutation: { kind: 'replace', path, value: literal(number) },
            why: 'an integer out of range',
          })),
        );
      }
      return fc.record({ endpoint: fc.constant(endpoint.name), method: fc.constant(endpoint.method), target: endpoint.target(fixtures), change: fc.oneof(...options) }).map(({ change, ...request }) => ({
        ...request,
        body: jsonText(applyMutation(valid, change.mutation)),
        why: change.why,
      }));
    }),
  );

function nodeAt(node: JsonNode, path: Path): JsonNode | undefined {
  let current: JsonNode | undefined = node;
  for (const key of path) current = current?.kind === 'object' ? current.entries.find(([name]) => name === key)?.[1] : undefined;
  return current;
}

// ---- raw bodies ----

export interface RawBodyRequest {
  endpoint: string;
  method: string;
  target: string;
  contentType: string | null;
  contentEncoding: string | null;
  body: Buffer;
  /** A Content-Length larger than the body: the client stops sending early. */
  declaredLength?: number;
}

const invalidUtf8 = fc.constantFrom(
  [0xff], [0xc0, 0xaf], [0xed, 0xa0, 0x80], [0xf4, 0x90, 0x80, 0x80], [0xe2, 0x82], [0x80], [0xfe, 0xff], [0xf8, 0x88, 0x80, 0x80, 0x80],
);

/** (b) Bytes that are not the JSON they claim to be. */
export const rawBodyCommand = (fixtures: Fixtures): fc.Arbitrary<RawBodyRequest> =>
  fc.constantFrom(...COMMAND_ENDPOINTS).chain((endpoint) =>
    endpoint.validBody.chain((valid) => {
      const text = JSON.stringify(valid);
      const body = fc.oneof(
        // Invalid UTF-8 spliced into a valid body (inside a string or between tokens).
        fc.tuple(fc.nat({ max: text.length }), invalidUtf8).map(([at, bytes]) => ({ body: Buffer.concat([Buffer.from(text.slice(0, at)), Buffer.from(bytes), Buffer.from(text.slice(at))]) })),
        // Truncated JSON.
        fc.nat({ max: Math.max(0, text.length - 1) }).map((at) => ({ body: Buffer.from(text.slice(0, at)) })),
        // A short body: fewer bytes than Content-Length says.
        fc.tuple(fc.nat({ max: Math.max(0, text.length - 1) }), fc.integer({ min: 1, max: 5_000 })).map(([at, missing]) => ({ body: Buffer.from(text.slice(0, at)), declaredLength: at + missing })),
        // 5,000 to 100,000 levels of nesting.
        deepJsonText.map((deep) => ({ body: Buffer.from(deep) })),
        deepJsonText.map((deep) => ({ body: Buffer.from(`{"customer":${deep}}`) })),
        // Not JSON at all.
        fc.constantFrom('', ' ', 'null', '"a"', '[]', '1e999', '{"a":1}{"b":2}', '\u0000', '\ufeff{}', '{"a":"\\ud800"}', '{"a":"\\u0000"}', "{'a':1}", '{"a":1,}', 'NaN').map((raw) => ({ body: Buffer.from(raw) })),
        // UTF-16 or Latin-1 bytes of a valid body.
        fc.constantFrom<BufferEncoding>('utf16le', 'latin1').map((encoding) => ({ body: Buffer.from(text.replace('Ada', 'Adà'), encoding) })),
      );
      const contentType = fc.oneof(
        { weight: 4, arbitrary: fc.constant('application/json') },
        {
          weight: 3,
          arbitrary: fc.constantFrom(
            null, 'text/plain', 'application/xml', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x',
            'application/json; charset=utf-16', 'application/json; charset=latin1', 'application/json; charset=nonsense',
            'application/merge-patch+json', 'application/json, text/plain', '*/*', 'application/json; boundary=\u00ff', 'json',
          ),
        },
      );
      const contentEncoding = fc.oneof({ weight: 5, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: fc.constantFrom('gzip', 'deflate', 'br', 'identity', 'x-nonsense', 'gzip, gzip') });
      return fc.record({ target: endpoint.target(fixtures), body, contentType, contentEncoding }).map(({ target, body: made, contentType: type, contentEncoding: encoding }) => ({
        endpoint: endpoint.name,
        method: endpoint.method,
        target,
        contentType: type,
        contentEncoding: encoding,
        ...made,
      }));
    }),
  );

// ---- query strings ----

export interface QueryEndpoint {
  path: (fixtures: Fixtures) => string;
  params: string[];
}

export const QUERY_ENDPOINTS: QueryEndpoint[] = [
  { path: () => '/appointments', params: ['status', 'staffId', 'from', 'to', 'limit', 'cursor'] },
  { path: (fixtures) => `/appointments/${fixtures.appointmentIds[0]}`, params: ['asOf'] },
  { path: (fixtures) => `/appointments/${fixtures.appointmentIds[1]}/history`, params: [] },
  { path: () => '/webhooks/calcom/facts', params: ['outcome', 'appointmentId', 'limit'] },
  { path: () => '/notifications', params: ['kind', 'limit'] },
  { path: () => '/conflicts', params: ['status'] },
  { path: () => '/drift/history', params: ['limit'] },
  { path: () => '/drift', params: [] },
  { path: () => '/sync/status', params: [] },
  { path: () => '/staff', params: [] },
  { path: () => '/services', params: [] },
];

/** A query value either as text (percent-encoded as UTF-8 when sent) or as a raw fragment sent verbatim. */
export type QueryValue = { text: string } | { raw: string };

const rawFragments = ['%00', 'a%00b', '%C0%AF', '%FF', '%ED%A0%80', '%E2%82', '%', '%zz', '%2', '%25', '%2e%2e', '%u0000', '%F4%90%80%80', '+', '%20', '%0A', '%0D%0A'];

const limitText = fc.oneof(
  fc.constantFrom('0x10', '0b1', '0o7', '1e2', '-1', '0', '201', '501', '1.5', ' 5', '5 ', '٥', '５', 'Infinity', 'NaN', '+5', '5abc', '', '9'.repeat(400), '1_0', '10n', '-0', '0.0'),
  fc.integer({ min: -10, max: 1000 }).map(String),
);

const knownValue: Record<string, fc.Arbitrary<string>> = {
  status: fc.constantFrom('scheduled', 'cancelled', 'open', 'resolved', 'SCHEDULED', 'all'),
  staffId: fc.constantFrom('olivia', 'hugo', 'nobody', '__proto__'),
  appointmentId: fc.constantFrom('a1', 'nobody', '__proto__'),
  outcome: fc.constantFrom('applied', 'echo', 'conflict', 'orphan', 'unmapped', 'ignored', 'failed'),
  kind: fc.constantFrom('sync_failed', 'conflict', 'unmapped_webhook', 'drift_heal_blocked'),
  limit: limitText,
  from: hostileDateTime,
  to: hostileDateTime,
  asOf: hostileDateTime,
};

export const hostileCursor = (fixtures: Fixtures): fc.Arbitrary<string> => {
  const base64 = (text: string) => Buffer.from(text, 'utf8').toString('base64url');
  return fc.oneof(
    fc.constant(fixtures.realCursor),
    // The real cursor, damaged.
    fc.tuple(fc.nat({ max: fixtures.realCursor.length }), fc.string({ maxLength: 3 })).map(([at, inserted]) => fixtures.realCursor.slice(0, at) + inserted + fixtures.realCursor.slice(at + 1)),
    fc.nat({ max: fixtures.realCursor.length }).map((at) => fixtures.realCursor.slice(0, at)),
    // Hand-made: the cursor's own shape with hostile contents.
    fc.tuple(hostileDateTime, fc.oneof(hostileString, fc.constant('a1'))).map(([startsAt, id]) => base64(JSON.stringify([startsAt, id]))),
    fc.tuple(fc.constantFrom('2031-02-31T10:00:00Z', '0000-01-01T00:00:00Z', '9999-12-31T23:59:59+23:59', '2030-01-01T10:00:00.123456789Z', '2030-01-01 10:00:00+00', '275760-09-13T00:00:00Z', 'Infinity', '1'), hostileString).map(([startsAt, id]) => base64(JSON.stringify([startsAt, id]))),
    hostileJson.map((node) => base64(jsonText(node))),
    fc.uint8Array({ maxLength: 60 }).map((bytes) => Buffer.from(bytes).toString('base64url')),
    hostileString,
  ).filter(fitsInUrl);
};

const queryKey = (endpoint: QueryEndpoint): fc.Arbitrary<string> => {
  const names = endpoint.params.length ? endpoint.params : ['limit'];
  return fc.oneof(
    { weight: 6, arbitrary: fc.constantFrom(...names) },
    { weight: 2, arbitrary: fc.tuple(fc.constantFrom(...names), fc.constantFrom('[]', '[0]', '[a]', '[__proto__]', '[constructor]', '[][]', '[0][1]')).map(([name, suffix]) => name + suffix) },
    { weight: 1, arbitrary: fc.constantFrom('__proto__', '__proto__[x]', 'constructor[prototype][x]', 'constructor', 'prototype', '', '[]', 'a[', ']') },
    { weight: 1, arbitrary: hostileKey.filter(fitsInUrl) },
  );
};

const queryValue = (fixtures: Fixtures, key: string): fc.Arbitrary<QueryValue> => {
  const name = key.replace(/\[.*$/, '');
  const own = name === 'cursor' ? hostileCursor(fixtures) : Object.hasOwn(knownValue, name) ? knownValue[name] : undefined;
  return fc.oneof(
    ...(own ? [{ weight: 4, arbitrary: own.map((text): QueryValue => ({ text })) }] : []),
    { weight: 2, arbitrary: hostileString.filter(fitsInUrl).map((text): QueryValue => ({ text })) },
    { weight: 1, arbitrary: hostileNumberText.map((text): QueryValue => ({ text })) },
    { weight: 1, arbitrary: fc.constantFrom(...rawFragments).map((raw): QueryValue => ({ raw })) },
  );
};

/** Short enough, once percent-encoded, to stay under Node's 16 KB header limit: longer URLs are tried separately. */
const fitsInUrl = (text: string): boolean => Buffer.byteLength(text, 'utf8') * 3 <= 12_000;

/** UTF-8 percent-encoding that never throws (a lone surrogate is sent as U+FFFD's bytes, as a browser would). */
export const percentEncode = (text: string): string =>
  [...Buffer.from(text, 'utf8')].map((byte) => (/[A-Za-z0-9\-_.~]/.test(String.fromCharCode(byte)) ? String.fromCharCode(byte) : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`)).join('');

const encodeValue = (value: QueryValue) => ('raw' in value ? value.raw : percentEncode(value.text));

/** (c) A GET list endpoint with a hostile query string: odd values, duplicated and bracketed keys, raw `%00`. */
export const hostileQuery = (fixtures: Fixtures): fc.Arbitrary<string> =>
  fc.constantFrom(...QUERY_ENDPOINTS).chain((endpoint) =>
    fc
      .array(queryKey(endpoint).chain((key) => fc.tuple(fc.constant(key), queryValue(fixtures, key))), { minLength: 1, maxLength: 6 })
      .map((pairs) => `${endpoint.path(fixtures)}?${pairs.map(([key, value]) => `${percentEncode(key).replace(/%5B/g, '[').replace(/%5D/g, ']')}=${encodeValue(value)}`).join('&')}`)
      .filter((target) => target.length <= 14_000),
  );

/** `limit` values that are not a plain decimal number: `0x10`, `1e2`, ` 5`, `٥`... must be refused, not read as 16. */
export const oddLimitQuery = (): fc.Arbitrary<{ target: string; limit: string }> =>
  fc.tuple(fc.constantFrom('/appointments', '/webhooks/calcom/facts', '/notifications', '/drift/history'), limitText.filter((limit) => !/^\d+$/.test(limit))).map(([path, limit]) => ({
    target: `${path}?limit=${percentEncode(limit)}`,
    limit,
  }));

/** Hand-made and damaged cursors on the appointments list. */
export const cursorQuery = (fixtures: Fixtures): fc.Arbitrary<string> =>
  fc.tuple(hostileCursor(fixtures), fc.constantFrom('', '&limit=1', '&status=scheduled', '&staffId=olivia&limit=2')).map(([cursor, rest]) => `/appointments?cursor=${percentEncode(cursor)}${rest}`);

// ---- path ids ----

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
];

/** (d) Path ids as sent on the wire: percent-encoded NUL, dot segments, very long, unicode, prototype words. */
export const hostileId: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(
    '%00', 'a%00b', '..', '.', '%2e%2e', '%2E', '..%2F..', '%2F', 'a%2Fb', '%5C', '%ZZ', '%', '%C0%AF', '%FF', '%ED%A0%80',
    '%F0%9F%98%80', '__proto__', 'constructor', 'prototype', 'hasOwnProperty', 'toString', '%5F_proto__', 'a;b', '%3B', '%3F', '~', '%20',
    'unmapped:x', 'missing_booking:a1', 'a:b', '-a', '_a',
  ),
  fc.integer({ min: 65, max: 12_000 }).map((length) => 'x'.repeat(length)),
  hostileString.filter(fitsInUrl).map(percentEncode),
  fc.string({ unit: 'binary', minLength: 1, maxLength: 20 }).map(percentEncode),
);

export const hostilePath = (): fc.Arbitrary<{ route: IdRoute; id: string }> => fc.record({ route: fc.constantFrom(...ID_ROUTES), id: hostileId });

// ---- methods ----

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
  { path: '/notifications', methods: ['GET'] },
  { path: '/health', methods: ['GET'] },
  { path: '/metrics', methods: ['GET'] },
];

export const wrongMethod = (): fc.Arbitrary<{ method: string; path: string }> =>
  fc.constantFrom(...ROUTES).chain((route) =>
    fc.constantFrom(...['GET', 'POST', 'PUT', 'PATCH', 'DELETE'].filter((method) => !route.methods.includes(method))).map((method) => ({ method, path: route.path })),
  );

// ---- headers ----

/** Control characters other than tab: Node's parser refuses them in a header, so they are tried with the protocol errors. */
const CONTROL = /[\u0000-\u0008\u000A-\u001F\u007F]/g;

/** Header text a client can send (no control characters: those are protocol errors, tried separately). */
const headerText: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom('', ' ', '*', '"', '""', '"-1"', '"3', 'W/"3"', '"99999999999"', '"1e3"', '"0x10"', '"3", "4"', 'W/', 'garbage', '"٣"', 'Bearer', 'Bearer ', 'Basic YWRtaW46YWRtaW4=', '\t', 'é', '€', '__proto__', '..'),
  fc.string({ unit: 'binary-ascii', maxLength: 60 }).map((text) => text.replace(CONTROL, '')),
  fc.string({ unit: 'binary', maxLength: 20 }).map((text) => Buffer.from(text.replace(CONTROL, ''), 'utf8').toString('latin1')),
  fc.integer({ min: 200, max: 8_000 }).map((length) => 'a'.repeat(length)),
);

export const hostileHeaders = (): fc.Arbitrary<[string, string][]> =>
  fc.array(fc.tuple(fc.constantFrom('if-match', 'x-correlation-id', 'x-actor', 'authorization', 'accept', 'x-forwarded-for', 'x-request-id'), headerText), { minLength: 1, maxLength: 4 });

// ---- protocol errors ----

export interface ProtocolAbuse {
  what: string;
  method: string;
  target: string;
  headers: [string, string][];
}

/** Requests Node's HTTP parser refuses before the app sees them: the answer must still be the error shape. */
export const protocolAbuse = (): fc.Arbitrary<ProtocolAbuse> =>
  fc.oneof(
    fc.integer({ min: 16_000, max: 100_000 }).map((length) => ({ what: `a ${length}-character URL`, method: 'GET', target: `/appointments?staffId=${'x'.repeat(length)}`, headers: [] })),
    fc.integer({ min: 16_000, max: 100_000 }).map((length) => ({ what: `a ${length}-character path`, method: 'GET', target: `/appointments/${'x'.repeat(length)}`, headers: [] })),
    fc.integer({ min: 17_000, max: 60_000 }).map((length): ProtocolAbuse => ({ what: `a ${length}-character X-Actor`, method: 'GET', target: '/staff', headers: [['x-actor', 'a'.repeat(length)]] })),
    fc
      .tuple(fc.constantFrom('x-actor', 'if-match', 'x-correlation-id', 'authorization'), fc.constantFrom('\u0000', '\u0001', '\u001b', '\u007f', '\u000b'))
      .map(([name, control]): ProtocolAbuse => ({ what: `${JSON.stringify(control)} in ${name}`, method: 'POST', target: '/appointments/a1/cancel', headers: [[name, `a${control}b`]] })),
    fc.constantFrom('/appointments/a b', '/appointments/a\u0000b', '/appointments/\u007f', '/appointments/é', '/appointments/😀', '/staff\t').map((target) => ({ what: 'a raw control or non-ASCII character in the target', method: 'GET', target, headers: [] })),
  );
