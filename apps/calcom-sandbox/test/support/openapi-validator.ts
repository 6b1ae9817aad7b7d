import { readFileSync } from 'node:fs';
import { Ajv, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';

/**
 * Validates requests and responses against Cal.com's own OpenAPI document (reference/openapi-v2.trimmed.json, schemas
 * unchanged). OpenAPI 3.0 is not JSON Schema, so the document is translated, never edited:
 *
 * - `nullable: true` becomes `anyOf: [{type: "null"}, …]` (Ajv's own `nullable` needs a sibling `type`, which
 *   Cal.com's `{nullable, allOf}` schemas lack);
 * - `oneOf` becomes `anyOf`: NestJS-swagger emits `oneOf` for TypeScript unions whose members overlap (the plain and the
 *   recurring create input have the same required fields; an unseated booking also satisfies the seated output), so
 *   no real body matches exactly one branch (`openapi-conformance.test.ts` shows it);
 * - `ReassignBookingOutput_2024_08_13.data` refers to its own envelope (a class-name collision in
 *   @calcom/platform-types) and so cannot be satisfied; it is checked as what output.service.ts returns,
 *   `{bookingUid, reassignedTo: ReassignedToDto}`;
 * - `TeamEventTypeOutput_2024_06_14.hosts` is typed as an array of strings (swagger could not infer the element type);
 *   it is checked as what team-event-type-response.output.ts returns, `{userId, name, username, avatarUrl, mandatory,
 *   priority}` objects;
 * - `CreateWebhookInputDto.triggers` / `UpdateWebhookInputDto.triggers` are typed as one string of the enum, while the
 *   API (`@IsArray() @IsEnum(…, {each: true})`) and the document's own example take an array of them; checked as that
 *   array. `UserWebhookOutputDto.payloadTemplate` is required as a string, but a webhook created without one stores and
 *   answers `null`; checked as a string or null. Its `triggers` items are typed as objects; they are the trigger names;
 * - the `GET /v2/slots` 200 schema describes `data` alone, as a map of strings, while its own examples and
 *   slots.controller.ts send `{status, data: {date: [{start}] | [{start, end}]}}`; it is checked as the examples show.
 *
 * `exact` additionally forbids properties a schema does not declare, to show the sandbox sends nothing Cal.com's
 * document does not know.
 */
type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

const DOCUMENT_URL = new URL('../../reference/openapi-v2.trimmed.json', import.meta.url);
const rawDocument = JSON.parse(readFileSync(DOCUMENT_URL, 'utf8')) as { [key: string]: Json };
const addFormats = ((addFormatsModule as unknown as { default?: unknown }).default ?? addFormatsModule) as (ajv: Ajv) => Ajv;

function translate(node: Json, exact: boolean): Json {
  if (Array.isArray(node)) return node.map((item) => translate(item, exact));
  if (node === null || typeof node !== 'object') return node;
  const { nullable, oneOf, ...rest } = node;
  const translated: { [key: string]: Json } = {};
  for (const [key, value] of Object.entries(rest)) translated[key] = key === 'properties' ? translateProperties(value, exact) : translate(value, exact);
  if (oneOf !== undefined) translated.anyOf = translate(oneOf, exact);
  if (exact && translated.properties !== undefined && translated.additionalProperties === undefined) translated.additionalProperties = false;
  return nullable === true ? { anyOf: [{ type: 'null' }, translated] } : translated;
}

function translateProperties(properties: Json, exact: boolean): Json {
  const entries = Object.entries(properties as { [key: string]: Json }).map(([name, schema]) => [name, translate(schema, exact)]);
  return Object.fromEntries(entries);
}

function buildDocument(exact: boolean): { [key: string]: Json } {
  const document = translate(rawDocument, exact) as { [key: string]: { [key: string]: { [key: string]: Json } } };
  const schemas = document.components.schemas as { [key: string]: { [key: string]: Json } };
  const reassignData = {
    type: 'object',
    properties: { bookingUid: { type: 'string' }, reassignedTo: { $ref: '#/components/schemas/ReassignedToDto' } },
    required: ['bookingUid', 'reassignedTo'],
    ...(exact ? { additionalProperties: false } : {}),
  };
  const envelope = schemas.ReassignBookingOutput_2024_08_13 as { properties: { [key: string]: Json } };
  envelope.properties.data = reassignData;
  const teamEventType = schemas.TeamEventTypeOutput_2024_06_14 as { properties: { [key: string]: Json } };
  teamEventType.properties.hosts = {
    type: 'array',
    items: {
      type: 'object',
      properties: {
        userId: { type: 'number' },
        name: { type: 'string' },
        username: { type: 'string' },
        avatarUrl: { type: ['string', 'null'] },
        mandatory: { type: 'boolean' },
        priority: { type: 'string', enum: ['lowest', 'low', 'medium', 'high', 'highest'] },
      },
      required: ['userId', 'name', 'username'],
      ...(exact ? { additionalProperties: false } : {}),
    },
  };
  for (const name of ['CreateWebhookInputDto', 'UpdateWebhookInputDto']) {
    const input = schemas[name] as { properties: { [key: string]: { [key: string]: Json } } } | undefined;
    if (input) input.properties.triggers = { type: 'array', items: { type: 'string', enum: input.properties.triggers.enum } };
  }
  const webhookOutput = schemas.UserWebhookOutputDto as { properties: { [key: string]: Json } } | undefined;
  if (webhookOutput) {
    webhookOutput.properties.payloadTemplate = { type: ['string', 'null'] };
    webhookOutput.properties.triggers = { type: 'array', items: { type: 'string' } };
  }
  const slots = document.paths['/v2/slots'] as { get: { responses: { [status: string]: Json } } } | undefined;
  if (slots) {
    const slot = { type: 'object', properties: { start: { type: 'string' }, end: { type: 'string' } }, required: ['start'], additionalProperties: false };
    const schema = {
      type: 'object',
      properties: {
        status: { type: 'string', enum: ['success'] },
        data: { type: 'object', propertyNames: { pattern: '^\\d{4}-\\d{2}-\\d{2}$' }, additionalProperties: { type: 'array', items: slot } },
      },
      required: ['status', 'data'],
      additionalProperties: false,
    };
    slots.get.responses['200'] = { description: '', content: { 'application/json': { schema } } };
  }
  return document;
}

function compiler(exact: boolean): (pointer: string) => ValidateFunction {
  const ajv = addFormats(new Ajv({ strict: false, allErrors: true, validateSchema: false }));
  ajv.addSchema(buildDocument(exact), 'calcom');
  const cache = new Map<string, ValidateFunction>();
  return (pointer) => {
    const cached = cache.get(pointer);
    if (cached) return cached;
    const validate = ajv.compile({ $ref: `calcom#${pointer}` });
    cache.set(pointer, validate);
    return validate;
  };
}

const lenient = compiler(false);
const strict = compiler(true);
const escape = (segment: string) => segment.replaceAll('~', '~0').replaceAll('/', '~1');

function check(validate: ValidateFunction, value: unknown, what: string): void {
  if (!validate(value)) {
    throw new Error(`${what} does not match Cal.com's OpenAPI schema:\n${JSON.stringify(validate.errors, null, 2)}\n${JSON.stringify(value, null, 2)}`);
  }
}

export function assertValidRequestBody(method: string, path: string, body: unknown): void {
  const pointer = `/paths/${escape(path)}/${method.toLowerCase()}/requestBody/content/${escape('application/json')}/schema`;
  check(lenient(pointer), body, `${method} ${path} request body`);
}

export function assertValidResponse(method: string, path: string, status: number, body: unknown): void {
  const pointer = `/paths/${escape(path)}/${method.toLowerCase()}/responses/${status}/content/${escape('application/json')}/schema`;
  check(lenient(pointer), body, `${method} ${path} ${status} response`);
}

/** Against one component schema, with undeclared properties forbidden. */
export function assertExactlySchema(schemaName: string, value: unknown): void {
  check(strict(`/components/schemas/${schemaName}`), value, `${schemaName} (exact)`);
}

/** Against the request body schema exactly as Cal.com wrote it (strict `oneOf`): shows why the translation is needed. */
export function matchesUntranslatedRequestBody(method: string, path: string, body: unknown): boolean {
  const ajv = new Ajv({ strict: false, allErrors: true, validateSchema: false });
  ajv.addSchema(rawDocument, 'calcom-untranslated');
  const pointer = `/paths/${escape(path)}/${method.toLowerCase()}/requestBody/content/${escape('application/json')}/schema`;
  return ajv.validate({ $ref: `calcom-untranslated#${pointer}` }, body) as boolean;
}

export const OPERATIONS_IN_DOCUMENT = Object.entries(rawDocument.paths as { [path: string]: { [method: string]: Json } }).flatMap(([path, methods]) =>
  Object.keys(methods).map((method) => `${method.toUpperCase()} ${path}`),
);
