import fc from 'fast-check';

/**
 * Hostile values, as JSON text fragments and strings. JSON is built as a small tree and written by hand, so a body can
 * hold what `JSON.stringify` never writes: duplicate keys, an own `__proto__` key, `1e400`, `-0`.
 */
export type JsonNode =
  { kind: 'literal'; text: string } | { kind: 'string'; value: string } | { kind: 'array'; items: JsonNode[] } | { kind: 'object'; entries: [string, JsonNode][] };

export const literal = (text: string): JsonNode => ({ kind: 'literal', text });
export const jsonString = (value: string): JsonNode => ({ kind: 'string', value });

/** JSON text of a tree; strings through JSON.stringify, which writes lone surrogates as `\udXXX` escapes. */
export function jsonText(node: JsonNode): string {
  switch (node.kind) {
    case 'literal':
      return node.text;
    case 'string':
      return JSON.stringify(node.value);
    case 'array':
      return `[${node.items.map(jsonText).join(',')}]`;
    case 'object':
      return `{${node.entries.map(([key, value]) => `${JSON.stringify(key)}:${jsonText(value)}`).join(',')}}`;
  }
}

/** A plain JSON value (a valid body) as a tree, so one of its fields can be swapped for a hostile one. */
export function toNode(value: unknown): JsonNode {
  if (value === null || typeof value === 'boolean' || typeof value === 'number') return literal(JSON.stringify(value));
  if (typeof value === 'string') return jsonString(value);
  if (Array.isArray(value)) return { kind: 'array', items: value.map(toNode) };
  return { kind: 'object', entries: Object.entries(value as object).map(([key, item]) => [key, toNode(item)]) };
}

export const PROTOTYPE_WORDS = ['__proto__', 'constructor', 'prototype'];

/** Strings the ledger must refuse wherever they appear: PostgreSQL cannot store them as they are. */
export const unstorableString: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom('\u0000', 'a\u0000b', 'Ada\u0000', '\ud800', 'x\udfff', '\udc00\ud800', 'name \ud83d', '\u0000\ud800'),
  fc
    .tuple(fc.string({ maxLength: 20 }), fc.constantFrom('\u0000', '\ud800', '\udbff', '\udc00', '\udfff'), fc.string({ maxLength: 20 }))
    .map(([before, bad, after]) => `${before}${bad}${after}`),
);

const oddStrings = [
  '',
  ' ',
  '\t',
  '\r\n',
  '\u202e',
  '\ufeff',
  '\uffff',
  '\ufffe',
  'é',
  '👩‍👩‍👧',
  'Ⅷ',
  '٣',
  '２',
  '<script>alert(1)</script>',
  "'; DROP TABLE events;--",
  '${jndi:ldap://x}',
  '%00',
  '\\u0000',
  '..',
  '../..',
  '/',
  '\\',
  '0',
  '-1',
  'NaN',
  'Infinity',
  'null',
  'true',
  '[]',
  '{}',
  '1e308',
  'toString',
  'hasOwnProperty',
  'valueOf',
  ...PROTOTYPE_WORDS,
];

export const hostileString: fc.Arbitrary<string> = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...oddStrings) },
  { weight: 2, arbitrary: unstorableString },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
  { weight: 1, arbitrary: fc.constantFrom(201, 255, 501, 2001, 5000, 70_000).chain((length) => fc.constantFrom('a', 'é', '\u0000', '😀').map((unit) => unit.repeat(length))) },
);

/** Number tokens as written in a body: beyond int4, beyond safe integers, beyond doubles, negative zero. */
export const hostileNumberText: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(
    '0',
    '-0',
    '1',
    '-1',
    '0.5',
    '5.0000000000000001',
    '1E2',
    '0.1e1',
    '2147483647',
    '2147483648',
    '-2147483649',
    '4294967296',
    '9007199254740991',
    '9007199254740992',
    '9007199254740993',
    '1e308',
    '1e309',
    '-1e309',
    '1e-400',
    '123456789012345678901234567890',
    '-9223372036854775809',
    '9223372036854775808',
  ),
  fc.double({ noNaN: true, noDefaultInfinity: true }).map((value) => JSON.stringify(value)),
  fc.integer().map(String),
);

const pad = (value: number, width = 2) => String(Math.abs(value)).padStart(width, '0');

/** Date-times the ledger must refuse: not a real calendar instant, an offset beyond ±14:00 or a year outside 1970–2199. */
export const impossibleDateTime: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(
    '2036-02-31T10:00:00+00:00',
    '2031-02-29T10:00:00Z',
    '2030-04-31T10:00:00Z',
    '2030-13-01T10:00:00Z',
    '2030-00-10T10:00:00Z',
    '2030-01-00T10:00:00Z',
    '2030-01-01T24:00:00Z',
    '2030-01-01T23:60:00Z',
    '2030-01-01T23:59:60Z',
    '2030-01-01T10:00:00+23:59',
    '2030-01-01T10:00:00-23:59',
    '2030-01-01T10:00:00+14:01',
    '2030-01-01T10:00:00+99:99',
    '2030-01-01T10:00:00+05:60',
    '0000-01-01T00:00:00Z',
    '9999-12-31T23:59:59Z',
    '1969-12-31T23:59:59Z',
    '2200-01-01T00:00:00Z',
    '1900-01-01T00:00:00+00:00',
  ),
  // A real-looking shape with one part out of range.
  fc
    .record({
      year: fc.oneof(fc.integer({ min: 0, max: 1969 }), fc.integer({ min: 2200, max: 9999 })),
      month: fc.integer({ min: 1, max: 12 }),
      day: fc.integer({ min: 1, max: 28 }),
    })
    .map(({ year, month, day }) => `${pad(year, 4)}-${pad(month)}-${pad(day)}T10:00:00Z`),
  fc
    .record({ year: fc.integer({ min: 2030, max: 2190 }), month: fc.constantFrom(2, 4, 6, 9, 11), day: fc.constantFrom(30, 31) })
    .filter(({ month, day }) => month === 2 || day === 31)
    .map(({ year, month, day }) => `${year}-${pad(month)}-${pad(day)}T10:00:00+01:00`),
  fc
    .integer({ min: 14 * 60 + 1, max: 99 * 60 + 59 })
    .chain((minutes) => fc.constantFrom('+', '-').map((sign) => `2030-06-01T10:00:00${sign}${pad(Math.floor(minutes / 60))}:${pad(minutes % 60)}`)),
);

/** Date-ish strings of every kind, valid or not, for date fields and date query parameters. */
export const hostileDateTime: fc.Arbitrary<string> = fc.oneof(
  impossibleDateTime,
  fc.constantFrom(
    '2032-02-29T10:00:00Z',
    '2199-12-31T23:59:59+14:00',
    '1970-01-01T00:00:00-14:00',
    '2030-01-01T10:00:00.123456789Z',
    '2030-01-01T10:00:00.1234567891Z',
    '2030-01-01T10:00:00',
    '2030-01-01',
    '2030-01-01T10:00Z',
    '+275760-09-13T00:00:00Z',
    '-000001-01-01T00:00:00Z',
    '2030-01-01T10:00:00+0100',
    '2030-01-01T10:00:00 +01:00',
    '2030-01-01t10:00:00z',
    '２０３０-01-01T10:00:00Z',
    '2030-01-01T10:00:00Z\u0000',
    '2030-W01-1T10:00:00Z',
    'Tue, 01 Jan 2030 10:00:00 GMT',
    '1893456000000',
    '2030-01-01T10:00:00.000000000000000000001Z',
    '9999-12-31T23:59:59.999999999+14:00',
    '0001-01-01T00:00:00-14:00',
  ),
  fc
    .record({
      year: fc.integer({ min: 0, max: 9999 }),
      month: fc.integer({ min: 0, max: 13 }),
      day: fc.integer({ min: 0, max: 32 }),
      hour: fc.integer({ min: 0, max: 25 }),
      minute: fc.integer({ min: 0, max: 61 }),
      second: fc.integer({ min: 0, max: 61 }),
      sign: fc.constantFrom('+', '-'),
      offsetHours: fc.integer({ min: 0, max: 24 }),
      offsetMinutes: fc.integer({ min: 0, max: 60 }),
    })
    .map((d) => `${pad(d.year, 4)}-${pad(d.month)}-${pad(d.day)}T${pad(d.hour)}:${pad(d.minute)}:${pad(d.second)}${d.sign}${pad(d.offsetHours)}:${pad(d.offsetMinutes)}`),
);

/** Values a lenient parser likes to rewrite: unicode, maximum lengths, padding, int4 overflow, the date window's edges. */
export const edgeButValidLeaf: fc.Arbitrary<JsonNode> = fc.oneof(
  fc
    .constantFrom(
      'é',
      'Zoë Ça',
      '👩‍👩‍👧',
      'שלום',
      '\u202eevil',
      '<script>alert(1)</script>',
      "O'Brien; DROP TABLE events;--",
      'a'.repeat(200),
      'b'.repeat(500),
      ' Ada ',
      'Ada  Lovelace',
      'Ada\u00a0Lovelace',
      'e\u0301',
      'x+tag@example.com',
      'ÄDA@EXAMPLE.COM',
      'Etc/GMT+12',
      'UTC',
      'America/Argentina/ComodRivadavia',
    )
    .map(jsonString),
  fc.constantFrom('2147483648', '2147483647', '4294967296', '9007199254740991', '5', '1440', '1E2', '30.0', '1e1').map(literal),
  fc
    .constantFrom(
      '2199-12-31T23:59:59-14:00',
      '2199-12-31T23:59:59+14:00',
      '2032-02-29T10:00:00Z',
      '2030-06-01T10:00:00.123456789+05:45',
      '2030-06-01T10:00Z',
      '2030-06-01T00:00:00-00:00',
      '2030-03-31T02:30:00+02:00',
      '2030-12-31T23:59:59.999+00:00',
    )
    .map(jsonString),
);

/** Keys a hostile client puts in objects. */
export const hostileKey: fc.Arbitrary<string> = fc.oneof(
  { weight: 2, arbitrary: fc.constantFrom(...PROTOTYPE_WORDS) },
  { weight: 2, arbitrary: hostileString },
  { weight: 1, arbitrary: fc.string({ maxLength: 10 }) },
);

/** A hostile leaf: odd strings, numbers, dates, booleans, null. */
export const hostileLeaf: fc.Arbitrary<JsonNode> = fc.oneof(
  { weight: 3, arbitrary: hostileString.map(jsonString) },
  { weight: 3, arbitrary: hostileNumberText.map(literal) },
  { weight: 2, arbitrary: hostileDateTime.map(jsonString) },
  { weight: 1, arbitrary: fc.constantFrom('true', 'false', 'null').map(literal) },
);

/** Any JSON, shallow enough to be written quickly but with hostile leaves, prototype keys and duplicate keys. */
export const hostileJson: fc.Arbitrary<JsonNode> = fc.letrec<{ node: JsonNode }>((tie) => ({
  node: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    hostileLeaf,
    fc.array(tie('node'), { maxLength: 5 }).map((items): JsonNode => ({ kind: 'array', items })),
    fc.array(fc.tuple(hostileKey, tie('node')), { maxLength: 5 }).map((entries): JsonNode => ({ kind: 'object', entries })),
  ),
})).node;

/** Nesting from 5,000 to 100,000 levels, as arrays, objects or both. */
export const deepJsonText: fc.Arbitrary<string> = fc
  .tuple(fc.integer({ min: 5_000, max: 100_000 }), fc.constantFrom('array', 'object', 'mixed'), fc.boolean())
  .map(([depth, shape, closed]) => {
    const open = shape === 'array' ? '[' : shape === 'object' ? '{"a":' : '{"a":[';
    const close = shape === 'array' ? ']' : shape === 'object' ? '}' : ']}';
    return open.repeat(depth) + '1' + (closed ? close.repeat(depth) : '');
  });

/** Short enough, once percent-encoded, to stay under Node's 16 KB header limit: longer URLs are tried separately. */
export const fitsInUrl = (text: string): boolean => Buffer.byteLength(text, 'utf8') * 3 <= 12_000;

/** UTF-8 percent-encoding that never throws (a lone surrogate is sent as U+FFFD's bytes, as a browser would). */
export const percentEncode = (text: string): string =>
  [...Buffer.from(text, 'utf8')]
    .map((byte) => (/[A-Za-z0-9\-_.~]/.test(String.fromCharCode(byte)) ? String.fromCharCode(byte) : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`))
    .join('');
