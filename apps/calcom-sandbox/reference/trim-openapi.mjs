/**
 * Writes openapi-v2.trimmed.json: Cal.com's own API v2 document cut down to the operations the sandbox emulates and
 * the component schemas they reach through `$ref`. Schemas are copied unchanged, so the tests validate against
 * Cal.com's text, defects included (see test/support/openapi-validator.ts for the two the tests work around).
 *
 *   node apps/calcom-sandbox/reference/trim-openapi.mjs /path/to/openapi-v2.json
 */
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';

const UPSTREAM = {
  repository: 'calcom/cal.com',
  path: 'docs/api-reference/v2/openapi.json',
  commit: '4d51873140e2ca307826b13fa8da9c52e837b6ff',
  sha256: 'daa3e48bc03a4bd31537e8e12c56ee2ab7e099eb301d17eed7f912f4a7378f3d',
};

const OPERATIONS = [
  ['/v2/bookings', 'post'],
  ['/v2/bookings', 'get'],
  ['/v2/bookings/{bookingUid}', 'get'],
  ['/v2/bookings/{bookingUid}/cancel', 'post'],
  ['/v2/bookings/{bookingUid}/reschedule', 'post'],
  ['/v2/bookings/{bookingUid}/confirm', 'post'],
  ['/v2/bookings/{bookingUid}/decline', 'post'],
  ['/v2/bookings/{bookingUid}/mark-absent', 'post'],
  ['/v2/bookings/{bookingUid}/reassign', 'post'],
  ['/v2/bookings/{bookingUid}/reassign/{userId}', 'post'],
  ['/v2/event-types', 'get'],
  ['/v2/event-types/{eventTypeId}', 'get'],
  ['/v2/teams', 'get'],
  ['/v2/teams/{teamId}/event-types', 'get'],
  ['/v2/me', 'get'],
  ['/v2/slots', 'get'],
  ['/v2/webhooks', 'post'],
  ['/v2/webhooks', 'get'],
  ['/v2/webhooks/{webhookId}', 'get'],
  ['/v2/webhooks/{webhookId}', 'patch'],
  ['/v2/webhooks/{webhookId}', 'delete'],
];

// Reached by no $ref: ReassignBookingOutput_2024_08_13 refers to itself where it should refer to this (see README).
const ALSO_KEPT = ['ReassignedToDto'];

const source = process.argv[2] ?? '/work/shared/calcom/openapi-v2.json';
const bytes = readFileSync(source);
const sha256 = createHash('sha256').update(bytes).digest('hex');
if (sha256 !== UPSTREAM.sha256) throw new Error(`${source} is not the upstream document (sha256 ${sha256})`);
const document = JSON.parse(bytes.toString('utf8'));

const reached = new Set();
function collectRefs(node) {
  if (Array.isArray(node)) return node.forEach(collectRefs);
  if (!node || typeof node !== 'object') return;
  for (const [key, value] of Object.entries(node)) {
    if (key === '$ref') {
      const name = value.replace('#/components/schemas/', '');
      if (!reached.has(name)) {
        reached.add(name);
        collectRefs(document.components.schemas[name]);
      }
    } else collectRefs(value);
  }
}

const paths = {};
for (const [path, method] of OPERATIONS) {
  const operation = document.paths[path]?.[method];
  if (!operation) throw new Error(`upstream has no ${method.toUpperCase()} ${path}`);
  paths[path] = { ...paths[path], [method]: operation };
  collectRefs(operation);
}

for (const name of ALSO_KEPT) {
  reached.add(name);
  collectRefs(document.components.schemas[name]);
}
const schemas = Object.fromEntries([...reached].sort().map((name) => [name, document.components.schemas[name]]));
const trimmed = {
  openapi: document.openapi,
  info: { ...document.info, 'x-trimmed-from': UPSTREAM },
  paths,
  components: { schemas },
};
const target = new URL('./openapi-v2.trimmed.json', import.meta.url);
writeFileSync(target, `${JSON.stringify(trimmed, null, 2)}\n`);
console.log(`wrote ${OPERATIONS.length} operations and ${reached.size} schemas to ${target.pathname}`);
