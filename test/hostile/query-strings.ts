import fc from 'fast-check';
import type { Fixtures } from './command-endpoints.js';
import { fitsInUrl, hostileDateTime, hostileJson, hostileKey, hostileNumberText, hostileString, jsonText, percentEncode } from './hostile-values.js';

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
  fc.constantFrom(
    '0x10',
    '0b1',
    '0o7',
    '1e2',
    '-1',
    '0',
    '201',
    '501',
    '1.5',
    ' 5',
    '5 ',
    '٥',
    '５',
    'Infinity',
    'NaN',
    '+5',
    '5abc',
    '',
    '9'.repeat(400),
    '1_0',
    '10n',
    '-0',
    '0.0',
  ),
  fc.integer({ min: -10, max: 1000 }).map(String),
);

const knownValue: Record<string, fc.Arbitrary<string>> = {
  status: fc.constantFrom('scheduled', 'cancelled', 'open', 'resolved', 'SCHEDULED', 'all'),
  staffId: fc.constantFrom('olivia', 'hugo', 'nobody', '__proto__'),
  appointmentId: fc.constantFrom('a1', 'nobody', '__proto__'),
  outcome: fc.constantFrom('applied', 'echo', 'conflict', 'orphan', 'unmapped', 'ignored', 'failed', 'waiting'),
  kind: fc.constantFrom('sync_failed', 'conflict', 'unmapped_webhook', 'drift_heal_blocked'),
  limit: limitText,
  from: hostileDateTime,
  to: hostileDateTime,
  asOf: hostileDateTime,
};

export const hostileCursor = (fixtures: Fixtures): fc.Arbitrary<string> => {
  const base64 = (text: string) => Buffer.from(text, 'utf8').toString('base64url');
  return fc
    .oneof(
      fc.constant(fixtures.realCursor),
      // The real cursor, damaged.
      fc
        .tuple(fc.nat({ max: fixtures.realCursor.length }), fc.string({ maxLength: 3 }))
        .map(([at, inserted]) => fixtures.realCursor.slice(0, at) + inserted + fixtures.realCursor.slice(at + 1)),
      fc.nat({ max: fixtures.realCursor.length }).map((at) => fixtures.realCursor.slice(0, at)),
      // Hand-made: the cursor's own shape with hostile contents.
      fc.tuple(hostileDateTime, fc.oneof(hostileString, fc.constant('a1'))).map(([startsAt, id]) => base64(JSON.stringify([startsAt, id]))),
      fc
        .tuple(
          fc.constantFrom(
            '2031-02-31T10:00:00Z',
            '0000-01-01T00:00:00Z',
            '9999-12-31T23:59:59+23:59',
            '2030-01-01T10:00:00.123456789Z',
            '2030-01-01 10:00:00+00',
            '275760-09-13T00:00:00Z',
            'Infinity',
            '1',
          ),
          hostileString,
        )
        .map(([startsAt, id]) => base64(JSON.stringify([startsAt, id]))),
      hostileJson.map((node) => base64(jsonText(node))),
      fc.uint8Array({ maxLength: 60 }).map((bytes) => Buffer.from(bytes).toString('base64url')),
      hostileString,
    )
    .filter(fitsInUrl);
};

const queryKey = (endpoint: QueryEndpoint): fc.Arbitrary<string> => {
  const names = endpoint.params.length ? endpoint.params : ['limit'];
  return fc.oneof(
    { weight: 6, arbitrary: fc.constantFrom(...names) },
    {
      weight: 2,
      arbitrary: fc.tuple(fc.constantFrom(...names), fc.constantFrom('[]', '[0]', '[a]', '[__proto__]', '[constructor]', '[][]', '[0][1]')).map(([name, suffix]) => name + suffix),
    },
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

const encodeValue = (value: QueryValue) => ('raw' in value ? value.raw : percentEncode(value.text));

/** (c) A GET list endpoint with a hostile query string: odd values, duplicated and bracketed keys, raw `%00`. */
export const hostileQuery = (fixtures: Fixtures): fc.Arbitrary<string> =>
  fc.constantFrom(...QUERY_ENDPOINTS).chain((endpoint) =>
    fc
      .array(
        queryKey(endpoint).chain((key) => fc.tuple(fc.constant(key), queryValue(fixtures, key))),
        { minLength: 1, maxLength: 6 },
      )
      .map(
        (pairs) => `${endpoint.path(fixtures)}?${pairs.map(([key, value]) => `${percentEncode(key).replace(/%5B/g, '[').replace(/%5D/g, ']')}=${encodeValue(value)}`).join('&')}`,
      )
      .filter((target) => target.length <= 14_000),
  );

/** `limit` values that are not a plain decimal number: `0x10`, `1e2`, ` 5`, `٥`... must be refused, not read as 16. */
export const oddLimitQuery = (): fc.Arbitrary<{ target: string; limit: string }> =>
  fc
    .tuple(
      fc.constantFrom('/appointments', '/webhooks/calcom/facts', '/notifications', '/drift/history'),
      limitText.filter((limit) => !/^\d+$/.test(limit)),
    )
    .map(([path, limit]) => ({
      target: `${path}?limit=${percentEncode(limit)}`,
      limit,
    }));

/** Hand-made and damaged cursors on the appointments list. */
export const cursorQuery = (fixtures: Fixtures): fc.Arbitrary<string> =>
  fc
    .tuple(hostileCursor(fixtures), fc.constantFrom('', '&limit=1', '&status=scheduled', '&staffId=olivia&limit=2'))
    .map(([cursor, rest]) => `/appointments?cursor=${percentEncode(cursor)}${rest}`);
