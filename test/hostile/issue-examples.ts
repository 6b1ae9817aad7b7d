import type { BodyRequest } from './command-bodies.js';
import type { Fixtures } from './command-endpoints.js';
import type { WebhookBody } from './hostile-webhooks.js';
import type { ProtocolAbuse } from './paths-methods-headers.js';

/**
 * The requests issue 9 reported, one per class, run first by the properties they belong to (fast-check `examples`),
 * so every run of the suite tries them whatever its seed. The generators cover each class; these pin the examples.
 */

const customer = { name: 'Ada Lovelace', email: 'ada@example.com', timeZone: 'Europe/London' };
const schedule = (startsAt: string, extra: Record<string, unknown> = {}): BodyRequest => ({
  endpoint: 'schedule',
  method: 'POST',
  target: '/appointments',
  body: JSON.stringify({ serviceId: 'consultation', staffId: 'olivia', startsAt, customer, ...extra }),
});
const saveStaff = (calcomUserId: number): BodyRequest => ({
  endpoint: 'save staff',
  method: 'PUT',
  target: '/staff/fuzz-staff',
  body: JSON.stringify({ name: 'Fuzz Staff', email: 'fuzz@salon.example', calcomUserId }),
});

/** Values the rules allow that the read models once could not hold, or that were stored changed. */
export const keptAsSentExamples = (): [BodyRequest][] => [
  [saveStaff(2_147_483_648)],
  [saveStaff(Number.MAX_SAFE_INTEGER)],
  [
    {
      endpoint: 'save service',
      method: 'PUT',
      target: '/services/fuzz-service',
      body: '{"name":"Fuzz service","durationMinutes":30,"calcomEventTypeIds":{"fuzz-staff":2147483648}}',
    },
  ],
  [{ endpoint: 'save service', method: 'PUT', target: '/services/fuzz-service', body: '{"name":"Fuzz service","durationMinutes":30,"calcomEventTypeIds":{"constructor":101}}' }],
  [schedule('2036-02-31T10:00:00+00:00')],
];

/** Values no rule allows: each must be a 4xx. */
export const invalidExamples = (fixtures: Fixtures): [BodyRequest & { why: string }][] => [
  [{ ...schedule('2036-02-31T10:00:00+00:00'), why: 'an impossible date-time' }],
  [{ ...schedule('0000-01-01T10:00:00Z'), why: 'the year 0000' }],
  [{ ...schedule('9999-12-31T10:00:00Z'), why: 'the year 9999' }],
  [{ ...schedule('2031-06-01T10:00:00+23:59'), why: 'an offset beyond ±14:00' }],
  [{ ...schedule('2031-06-01T10:00:00Z', { notes: 'a\u0000b' }), why: 'NUL in notes' }],
  [{ ...schedule('2031-06-01T10:00:00Z', { customer: { ...customer, name: 'Ada \ud800' } }), why: 'a lone surrogate in a name' }],
  [{ endpoint: 'cancel', method: 'POST', target: `/appointments/${fixtures.cancellableIds[0]}/cancel`, body: '{"reason":"Rain\\u0000"}', why: 'NUL in a reason' }],
  [{ ...saveStaff(9_007_199_254_740_993), why: 'an id beyond 2^53' }],
  [{ endpoint: 'drift check', method: 'POST', target: '/drift/check', body: '{"toString":1}', why: 'the unknown key toString' }],
];

/** Query strings the issue saw answered with a 500. */
export const queryExamples = (fixtures: Fixtures): [string][] => [
  ['/appointments?from=2031-02-31T10:00:00Z'],
  [`/appointments/${fixtures.appointmentIds[0]}?asOf=2031-06-01T10:00:00%2B23:59`],
  ['/appointments?staffId=olivia%00'],
  ['/appointments?status=scheduled&status=cancelled&limit[]=1'],
];

/** A hand-made cursor with an impossible date in it. */
export const cursorExamples = (): [string][] => [[`/appointments?cursor=${Buffer.from('["2031-02-31T10:00:00Z","a"]').toString('base64url')}`]];

/** The poison webhooks: a NUL in the cancellation reason of a booking the ledger holds, prototype keys in a form. */
export const jsonWebhookExamples = (held: string): [WebhookBody][] => {
  const cancelled = JSON.parse(held);
  cancelled.triggerEvent = 'BOOKING_CANCELLED';
  cancelled.payload = { ...cancelled.payload, cancellationReason: 'Rain\u0000' };
  return [[{ body: JSON.stringify(cancelled), contentType: 'application/json' }]];
};

export const formWebhookExamples = (): [WebhookBody][] => [
  [{ body: 'triggerEvent=BOOKING_CREATED&__proto__.polluted=1', contentType: 'application/x-www-form-urlencoded' }],
  [{ body: 'triggerEvent=PING&__proto__%5Bpolluted%5D=1&constructor%5Bprototype%5D%5Bpolluted%5D=1', contentType: 'application/x-www-form-urlencoded' }],
  [{ body: 'triggerEvent=BOOKING_CANCELLED&payload.__proto__.toString=x', contentType: 'application/x-www-form-urlencoded' }],
];

export const limitExamples = (): [{ target: string; limit: string }][] => [[{ target: '/appointments?limit=0x10', limit: '0x10' }]];

/** A 20 KB URL and a short body were answered with nothing at all. */
export const protocolExamples = (): [ProtocolAbuse][] => [
  [{ what: 'a 20 KB URL', method: 'GET', target: `/appointments?staffId=${'x'.repeat(20_000)}`, headers: [] }],
  [{ what: 'NUL in X-Actor', method: 'GET', target: '/staff', headers: [['x-actor', 'a\u0000b']] }],
];
