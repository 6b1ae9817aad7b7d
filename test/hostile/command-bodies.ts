import fc from 'fast-check';
import { COMMAND_ENDPOINTS, type CommandEndpoint, type Fixtures } from './command-endpoints.js';
import {
  deepJsonText,
  edgeButValidLeaf,
  hostileDateTime,
  hostileJson,
  hostileKey,
  hostileLeaf,
  impossibleDateTime,
  jsonString,
  jsonText,
  literal,
  PROTOTYPE_WORDS,
  toNode,
  unstorableString,
  type JsonNode,
} from './hostile-values.js';

export interface BodyRequest {
  endpoint: string;
  method: string;
  target: string;
  body: string;
}

const endpointRequest = (fixtures: Fixtures, endpoints: CommandEndpoint[], body: (endpoint: CommandEndpoint) => fc.Arbitrary<string>) =>
  fc
    .constantFrom(...endpoints)
    .chain((endpoint) => fc.record({ endpoint: fc.constant(endpoint.name), method: fc.constant(endpoint.method), target: endpoint.target(fixtures), body: body(endpoint) }));

/** (a) Any JSON at all, to every command endpoint. */
export const randomJsonCommand = (fixtures: Fixtures): fc.Arbitrary<BodyRequest> => endpointRequest(fixtures, COMMAND_ENDPOINTS, () => hostileJson.map(jsonText));

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

/** One field of a valid body replaced (most often), removed, or one key added: everything else stays valid. */
export function mutationOf(body: JsonNode, value: fc.Arbitrary<JsonNode> = hostileFieldValue): fc.Arbitrary<Mutation> {
  const { leaves, objects } = pathsOf(body);
  const add = fc.record({ kind: fc.constant('add' as const), path: fc.constantFrom(...objects), key: hostileKey, value });
  if (leaves.length === 0) return add;
  return fc.oneof(
    { weight: 1, arbitrary: add },
    { weight: 2, arbitrary: fc.record({ kind: fc.constant('replace' as const), path: fc.constantFrom(...leaves), value }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('remove' as const), path: fc.constantFrom(...leaves) }) },
  );
}

/** (a) A valid body with one hostile field. */
export const mutatedCommand = (fixtures: Fixtures, endpoints = COMMAND_ENDPOINTS, value = hostileFieldValue): fc.Arbitrary<BodyRequest> =>
  endpointRequest(fixtures, endpoints, (endpoint) =>
    endpoint.validBody.map(toNode).chain((valid) => mutationOf(valid, value).map((mutation) => jsonText(applyMutation(valid, mutation)))),
  );

/** Values at the edge of what the rules allow: each must be refused or kept exactly, never rewritten on the way in. */
const edgeFieldValue: fc.Arbitrary<JsonNode> = fc.oneof({ weight: 3, arbitrary: edgeButValidLeaf }, { weight: 1, arbitrary: hostileFieldValue });

/** A valid body with one field at the edge, to the commands whose effect can be read back. */
export const edgeCommand = (fixtures: Fixtures): fc.Arbitrary<BodyRequest> =>
  mutatedCommand(
    fixtures,
    COMMAND_ENDPOINTS.filter((endpoint) => ['schedule', 'reschedule', 'cancel', 'reassign', 'change-service', 'save staff', 'save service'].includes(endpoint.name)),
    edgeFieldValue,
  );

/** Names every object inherits: a field check that asks `key in object` takes them for declared fields. */
const INHERITED_NAMES = ['toString', 'valueOf', 'hasOwnProperty', 'isPrototypeOf', 'propertyIsEnumerable', 'toLocaleString', '__defineGetter__', '__lookupSetter__'];

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
      const numbers = leafOf('literal', (path) => /^\d/.test((nodeAt(valid, path) as { text: string }).text));
      const options: fc.Arbitrary<{ mutation: Mutation; why: string }>[] = [
        fc.record({ path: fc.constantFrom(...objects), key: fc.constantFrom(...PROTOTYPE_WORDS, ...INHERITED_NAMES, 'unknownField') }).map(({ path, key }) => ({
          mutation: { kind: 'add', path, key, value: literal('{"polluted":true}') },
          why: `the unknown key ${key}`,
        })),
      ];
      if (strings.length)
        options.push(
          fc
            .record({ path: fc.constantFrom(...strings), text: unstorableString })
            .map(({ path, text }) => ({ mutation: { kind: 'replace', path, value: jsonString(text) }, why: 'NUL or a lone surrogate' })),
        );
      if (dates.length)
        options.push(
          fc
            .record({ path: fc.constantFrom(...dates), date: impossibleDateTime })
            .map(({ path, date }) => ({ mutation: { kind: 'replace', path, value: jsonString(date) }, why: 'an impossible date-time' })),
        );
      if (numbers.length) {
        options.push(
          fc
            .record({ path: fc.constantFrom(...numbers), number: fc.constantFrom('9007199254740993', '1e308', '1e309', '-1', '0', '0.5', '-0', '123456789012345678901234567890') })
            .map(({ path, number }) => ({
              mutation: { kind: 'replace', path, value: literal(number) },
              why: 'an integer out of range',
            })),
        );
      }
      return fc
        .record({ endpoint: fc.constant(endpoint.name), method: fc.constant(endpoint.method), target: endpoint.target(fixtures), change: fc.oneof(...options) })
        .map(({ change, ...request }) => ({
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

const invalidUtf8 = fc.constantFrom([0xff], [0xc0, 0xaf], [0xed, 0xa0, 0x80], [0xf4, 0x90, 0x80, 0x80], [0xe2, 0x82], [0x80], [0xfe, 0xff], [0xf8, 0x88, 0x80, 0x80, 0x80]);

/** (b) Bytes that are not the JSON they claim to be. */
export const rawBodyCommand = (fixtures: Fixtures): fc.Arbitrary<RawBodyRequest> =>
  fc.constantFrom(...COMMAND_ENDPOINTS).chain((endpoint) =>
    endpoint.validBody.chain((valid) => {
      const text = JSON.stringify(valid);
      const body = fc.oneof(
        // Invalid UTF-8 spliced into a valid body (inside a string or between tokens).
        fc
          .tuple(fc.nat({ max: text.length }), invalidUtf8)
          .map(([at, bytes]) => ({ body: Buffer.concat([Buffer.from(text.slice(0, at)), Buffer.from(bytes), Buffer.from(text.slice(at))]) })),
        // Truncated JSON.
        fc.nat({ max: Math.max(0, text.length - 1) }).map((at) => ({ body: Buffer.from(text.slice(0, at)) })),
        // A short body: fewer bytes than Content-Length says.
        fc
          .tuple(fc.nat({ max: Math.max(0, text.length - 1) }), fc.integer({ min: 1, max: 5_000 }))
          .map(([at, missing]) => ({ body: Buffer.from(text.slice(0, at)), declaredLength: at + missing })),
        // 5,000 to 100,000 levels of nesting.
        deepJsonText.map((deep) => ({ body: Buffer.from(deep) })),
        deepJsonText.map((deep) => ({ body: Buffer.from(`{"customer":${deep}}`) })),
        // Not JSON at all.
        fc
          .constantFrom('', ' ', 'null', '"a"', '[]', '1e999', '{"a":1}{"b":2}', '\u0000', '\ufeff{}', '{"a":"\\ud800"}', '{"a":"\\u0000"}', "{'a':1}", '{"a":1,}', 'NaN')
          .map((raw) => ({ body: Buffer.from(raw) })),
        // UTF-16 or Latin-1 bytes of a valid body.
        fc.constantFrom<BufferEncoding>('utf16le', 'latin1').map((encoding) => ({ body: Buffer.from(text.replace('Ada', 'Adà'), encoding) })),
      );
      const contentType = fc.oneof(
        { weight: 4, arbitrary: fc.constant('application/json') },
        {
          weight: 3,
          arbitrary: fc.constantFrom(
            null,
            'text/plain',
            'application/xml',
            'application/x-www-form-urlencoded',
            'multipart/form-data; boundary=x',
            'application/json; charset=utf-16',
            'application/json; charset=latin1',
            'application/json; charset=nonsense',
            'application/merge-patch+json',
            'application/json, text/plain',
            '*/*',
            'application/json; boundary=\u00ff',
            'json',
          ),
        },
      );
      const contentEncoding = fc.oneof(
        { weight: 5, arbitrary: fc.constant(null) },
        { weight: 1, arbitrary: fc.constantFrom('gzip', 'deflate', 'br', 'identity', 'x-nonsense', 'gzip, gzip') },
      );
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
