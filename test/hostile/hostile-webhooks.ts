import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { signCalcomWebhook } from '#calcom';
import { applyMutation, mutationOf } from './command-bodies.js';
import { deepJsonText, hostileDateTime, hostileJson, hostileLeaf, hostileString, jsonString, jsonText, percentEncode, toNode, unstorableString } from './hostile-values.js';

const examplesDir = join(process.cwd(), 'apps/calcom-sandbox/reference/webhook-examples');

/** Cal.com's published body shapes, as the sandbox reference keeps them. */
export const exampleWebhooks = (): string[] => readdirSync(examplesDir).map((file) => readFileSync(join(examplesDir, file), 'utf8'));

export interface WebhookBody {
  body: string;
  contentType: string | null;
}

const TRIGGERS = [
  'BOOKING_CREATED',
  'BOOKING_CANCELLED',
  'BOOKING_RESCHEDULED',
  'BOOKING_REQUESTED',
  'BOOKING_REJECTED',
  'BOOKING_NO_SHOW_UPDATED',
  'MEETING_ENDED',
  'PING',
  'booking_created',
  '',
];

/** Fields the translator reads, each a likely place for a value it cannot store. */
const READ_FIELDS = ['uid', 'rescheduleUid', 'startTime', 'endTime', 'eventTypeId', 'cancellationReason', 'additionalNotes', 'status', 'rescheduledBy', 'cancelledBy'];

/**
 * (f) JSON webhooks: a real body (an example, or `held`: one the sandbox sent about a booking the ledger holds) with one field
 * hostile; or a payload of any JSON behind a real trigger; or 5,000+ levels of nesting.
 */
export const hostileJsonWebhook = (templates: string[], held: string): fc.Arbitrary<WebhookBody> => {
  const trees = [...templates, held].map((template) => toNode(JSON.parse(template)));
  // Most read-field changes are about the booking the ledger holds, so they reach the translator's applier.
  const heldOrAny = fc.oneof({ weight: 3, arbitrary: fc.constant(toNode(JSON.parse(held))) }, { weight: 1, arbitrary: fc.constantFrom(...trees) });
  const contentType = fc.constantFrom('application/json', 'application/json; charset=utf-8', null);
  const mutated = fc.constantFrom(...trees).chain((tree) => mutationOf(tree).map((mutation) => jsonText(applyMutation(tree, mutation))));
  const readFieldHostile = fc
    .record({
      tree: heldOrAny,
      trigger: fc.constantFrom(...TRIGGERS),
      field: fc.constantFrom(...READ_FIELDS),
      value: fc.oneof(unstorableString.map(jsonString), hostileDateTime.map(jsonString), hostileLeaf),
    })
    .map(({ tree, trigger, field, value }) => {
      const withTrigger = applyMutation(tree, { kind: 'replace', path: ['triggerEvent'], value: jsonString(trigger) });
      const payload = tree.kind === 'object' && tree.entries.some(([key, item]) => key === 'payload' && item.kind === 'object');
      const path = payload ? ['payload'] : [];
      return jsonText(applyMutation(applyMutation(withTrigger, { kind: 'remove', path: [...path, field] }), { kind: 'add', path, key: field, value }));
    });
  const anyPayload = fc
    .tuple(fc.constantFrom(...TRIGGERS), hostileJson)
    .map(([trigger, payload]) => `{"triggerEvent":${JSON.stringify(trigger)},"createdAt":"2030-01-01T10:00:00Z","payload":${jsonText(payload)}}`);
  const deep = deepJsonText.map((deepText) => `{"triggerEvent":"BOOKING_CREATED","payload":${deepText}}`);
  return fc.record({
    body: fc.oneof(
      { weight: 4, arbitrary: mutated },
      { weight: 4, arbitrary: readFieldHostile },
      { weight: 2, arbitrary: anyPayload },
      { weight: 1, arbitrary: hostileJson.map(jsonText) },
      { weight: 1, arbitrary: deep },
    ),
    contentType,
  });
};

/** Form keys that walk the prototype chain, with dots (the ledger's template syntax) or brackets (qs syntax). */
const prototypeKey = fc.constantFrom(
  '__proto__.polluted',
  '__proto__[polluted]',
  'constructor[prototype][polluted]',
  'constructor.prototype.polluted',
  'payload.__proto__.polluted',
  'payload.constructor.prototype.polluted',
  'payload.attendees.__proto__.polluted',
  'a.__proto__.polluted',
  '__proto__',
  'prototype.polluted',
  'payload[__proto__][polluted]',
  'payload.metadata.__proto__.appointmentId',
  '__proto__.toString',
  'payload.__proto__.hasOwnProperty',
);

const formKey = fc.oneof(
  { weight: 3, arbitrary: prototypeKey },
  {
    weight: 3,
    arbitrary: fc.constantFrom(
      'payload.uid',
      'payload.cancellationReason',
      'payload.startTime',
      'payload.endTime',
      'payload.eventTypeId',
      'payload.organizer.id',
      'payload.attendees.0.email',
      'payload.attendees.0.name',
      'payload.metadata.appointmentId',
      'payload.rescheduleUid',
      'payload',
      'uid',
      'createdAt',
    ),
  },
  { weight: 1, arbitrary: fc.integer({ min: 1_000, max: 20_000 }).map((depth) => Array.from({ length: depth }, () => 'a').join('.')) },
  { weight: 1, arbitrary: fc.integer({ min: 1_000, max: 20_000 }).map((depth) => `a${'[a]'.repeat(depth)}`) },
  { weight: 1, arbitrary: hostileString.filter((key) => key.length < 5_000) },
);

const formValue = fc.oneof(
  { weight: 3, arbitrary: hostileString.filter((value) => value.length < 20_000) },
  { weight: 2, arbitrary: hostileDateTime },
  { weight: 1, arbitrary: fc.constantFrom('{"__proto__":{"polluted":true}}', '{"constructor":{"prototype":{"polluted":true}}}', '[1,2', '{"a":', '{}', '[]') },
  { weight: 1, arbitrary: hostileJson.map(jsonText) },
  { weight: 1, arbitrary: deepJsonText.filter((text) => text.length < 200_000) },
);

/** Raw fragments (already percent-encoded) that a URLSearchParams would never write. */
const rawFormFragment = fc.constantFrom('%00', '%ZZ', '%', '%ED%A0%80', '%C0%AF', '%FF', '&&', '==', '=&=', '&', '+%2B');

/** (f) Form-encoded webhooks: keys through `__proto__` and `constructor`, very deep paths, values of every kind. */
export const hostileFormWebhook = (): fc.Arbitrary<WebhookBody> =>
  fc
    .record({
      trigger: fc.option(fc.constantFrom(...TRIGGERS), { nil: undefined, freq: 6 }),
      pairs: fc.array(fc.tuple(formKey, formValue), { minLength: 1, maxLength: 6 }),
      extra: fc.option(rawFormFragment, { nil: undefined }),
      contentType: fc.constantFrom('application/x-www-form-urlencoded', 'application/x-www-form-urlencoded; charset=utf-8', 'APPLICATION/X-WWW-FORM-URLENCODED', null),
    })
    .map(({ trigger, pairs, extra, contentType }) => {
      const fields = [
        ...(trigger === undefined ? [] : [`triggerEvent=${percentEncode(trigger)}`]),
        ...pairs.map(([key, value]) => `${percentEncode(key)}=${percentEncode(value)}`),
      ];
      if (extra) fields.splice(Math.min(1, fields.length), 0, extra);
      return { body: fields.join('&'), contentType };
    });

/** Signatures that must not pass: none, another secret's, another body's, cut short, not hex, huge. */
export const wrongSignature = (body: string, secret: string): fc.Arbitrary<string | null> =>
  fc.oneof(
    fc.constant(null),
    fc.constantFrom('', ' ', 'no-secret-provided', 'a'.repeat(64), 'zz'.repeat(32), '0'.repeat(10_000), 'sha256=', 'undefined', 'null'),
    fc.constant(signCalcomWebhook(body, `${secret}-other`)),
    fc.constant(signCalcomWebhook(`${body} `, secret)),
    fc.constant(signCalcomWebhook(body, secret).slice(0, 63)),
    fc.constant(`${signCalcomWebhook(body, secret)}00`),
  );
