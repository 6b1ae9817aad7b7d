import { FORBIDDEN_KEYS, hasUnstorableCharacters, jsonShapeProblem, MAX_JSON_DEPTH } from '../input-rules.js';

/**
 * A webhook body read into plain data that is safe to walk and to store: JSON or form-encoded, every object without
 * a prototype chain worth walking, no key that walks one (`__proto__`, `constructor`, `prototype`), at most
 * MAX_JSON_DEPTH deep, and no string (key or value) PostgreSQL would refuse (NUL, unpaired surrogates).
 * Checked without recursion, so a body nested 100,000 levels is refused, not a stack overflow.
 */
export type Json = Record<string, unknown>;

const UNPRINTABLE = /[\u0000-\u001F\u007F\uD800-\uDFFF]/g;

export type ReadBody = { ok: true; value: Json; form: boolean } | { ok: false; reason: string };

export function readWebhookBody(body: string, contentType: string): ReadBody {
  if (hasUnstorableCharacters(body)) return refused('the body contains NUL characters or unpaired UTF-16 surrogates');
  const read = parse(body, contentType);
  if (!read.ok) return read;
  const problem = jsonShapeProblem(read.value, MAX_JSON_DEPTH) ?? unstorableText(read.value);
  return problem ? refused(`${problem.reason} at ${problem.path.replace(UNPRINTABLE, '?')}`) : read;
}

function parse(body: string, contentType: string): ReadBody {
  if (contentType.includes('application/x-www-form-urlencoded')) return fromForm(body);
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch {
    // Without a content type, a body that is not JSON may still be a rendered form template.
    if (!contentType && body.includes('=')) return fromForm(body);
    return refused('The body is neither JSON nor form-encoded');
  }
  return isObject(value) ? { ok: true, value, form: false } : refused('The body is JSON but not an object');
}

/**
 * `a.b=1&c[d]=2&e={"f":3}` → `{a:{b:'1'}, c:{d:'2'}, e:{f:3}}`: templates may name nested fields with dots or
 * brackets and may embed JSON. Objects are made without a prototype, and a key path through a forbidden key is
 * refused before anything is assigned.
 */
function fromForm(body: string): ReadBody {
  const root: Json = Object.create(null);
  for (const pair of body.split('&')) {
    const [key, raw] = [...new URLSearchParams(pair)][0] ?? ['', ''];
    // URLSearchParams reads percent-escapes that are not UTF-8 as U+FFFD: the text would be stored changed.
    if ((key + raw).includes('\uFFFD') && !pair.includes('\uFFFD')) return refused(`a percent-encoded text is not UTF-8 (form field ${printable(key)})`);
    const path = key.split(/[.[\]]+/).filter(Boolean);
    if (path.length === 0) continue;
    const forbidden = path.find((part) => FORBIDDEN_KEYS.has(part));
    if (forbidden) return refused(`the key "${forbidden}" is not allowed (form field ${printable(key)})`);
    if (path.length > MAX_JSON_DEPTH) return refused(`nested deeper than ${MAX_JSON_DEPTH} levels (form field ${printable(key)})`);
    let node = root;
    for (const part of path.slice(0, -1)) {
      if (!isObject(node[part])) node[part] = Object.create(null);
      node = node[part] as Json;
    }
    node[path[path.length - 1]] = embeddedJson(raw);
  }
  return { ok: true, value: root, form: true };
}

function embeddedJson(raw: string): unknown {
  const trimmed = raw.trim();
  if (!trimmed.startsWith('{') && !trimmed.startsWith('[')) return raw;
  try {
    return JSON.parse(trimmed);
  } catch {
    return raw;
  }
}

/** The first key or string value PostgreSQL could not keep (a JSON escape such as `\u0000` makes one). */
function unstorableText(value: unknown): { reason: string; path: string } | null {
  const stack: { value: unknown; path: string }[] = [{ value, path: '$' }];
  while (stack.length > 0) {
    const current = stack.pop()!;
    if (typeof current.value === 'string') {
      if (hasUnstorableCharacters(current.value)) return { reason: 'a text holds NUL characters or unpaired UTF-16 surrogates', path: current.path };
      continue;
    }
    if (typeof current.value !== 'object' || current.value === null) continue;
    for (const key of Object.keys(current.value)) {
      const path = `${current.path}.${printable(key)}`;
      if (hasUnstorableCharacters(key)) return { reason: 'a key holds NUL characters or unpaired UTF-16 surrogates', path };
      stack.push({ value: (current.value as Json)[key], path });
    }
  }
  return null;
}

/** A key as it may be quoted back in an error (and stored in a reason): short, without what cannot be stored. */
export const printable = (key: string): string => key.slice(0, 40).replace(UNPRINTABLE, '?');

export const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);

const refused = (reason: string): ReadBody => ({ ok: false, reason });
