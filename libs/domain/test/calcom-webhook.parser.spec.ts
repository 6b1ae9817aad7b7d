import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseCalcomWebhook, type CalcomWebhook } from '../src/sync/calcom-webhook.parser.js';

const examplesDir = join(process.cwd(), 'apps/calcom-sandbox/reference/webhook-examples');
const example = (file: string): string => readFileSync(join(examplesDir, file), 'utf8');

function parsed(body: string, contentType: string | null = 'application/json'): CalcomWebhook {
  const result = parseCalcomWebhook(body, contentType);
  if (!result.ok) throw new Error(`expected a webhook, got: ${result.reason}`);
  return result.webhook;
}

describe('every example body Cal.com sends', () => {
  const bodies = readdirSync(examplesDir).filter((file) => file !== 'payload-template.help-docs.json');

  it.each(bodies)('%s is read, with its trigger', (file) => {
    const webhook = parsed(example(file));
    expect(webhook.triggerEvent).toBe(JSON.parse(example(file)).triggerEvent);
  });

  it('reads a created booking: uid, times in UTC, event type, host, attendee, status', () => {
    expect(parsed(example('booking-created.dev-docs.json'))).toMatchObject({
      triggerEvent: 'BOOKING_CREATED',
      shape: 'nested',
      bookingUid: 'bFJeNb2uX8ANpT3JL5EfXw',
      rescheduleUid: null,
      startsAt: '2023-05-25T09:30:00.000Z',
      endsAt: '2023-05-25T10:30:00.000Z',
      eventTypeId: 7,
      hostUserId: 5,
      hostEmail: 'pro@example.com',
      attendees: [{ name: 'John Doe', email: 'john.doe@example.com', timeZone: 'Asia/Kolkata', phone: null, noShow: null }],
      status: 'accepted',
      appointmentId: null,
    });
  });

  it('reads a reschedule: the new uid and the old one it replaced', () => {
    expect(parsed(example('booking-rescheduled.derived-from-source.json'))).toMatchObject({
      bookingUid: '4sK9wEnJ2cQhW7yZp1Lr3T',
      rescheduleUid: 'bFJeNb2uX8ANpT3JL5EfXw',
      startsAt: '2023-05-26T09:30:00.000Z',
      changedBy: 'john.doe@example.com',
    });
  });

  it('reads a cancel with +00:00 times and its reason', () => {
    expect(parsed(example('booking-cancelled.derived-from-source.json'))).toMatchObject({
      bookingUid: 'bFJeNb2uX8ANpT3JL5EfXw',
      startsAt: '2023-05-25T09:30:00.000Z',
      cancellationReason: 'Client asked to cancel',
      status: 'cancelled',
      changedBy: 'owner@acme.com',
      requestReschedule: false,
    });
  });

  it('reads the no-show update by its bookingUid and the attendee flags', () => {
    const webhook = parsed(example('booking-no-show-updated.derived-from-source.json'));
    expect(webhook.bookingUid).toBe('bFJeNb2uX8ANpT3JL5EfXw');
    expect(webhook.attendees.map((attendee) => attendee.noShow)).toEqual([true]);
  });

  it('reads the flat MEETING_ENDED body (no payload wrapper): uid, host user id, times', () => {
    expect(parsed(example('meeting-ended.flat.derived-from-help-docs.json'))).toMatchObject({
      shape: 'flat',
      bookingUid: 'bFJeNb2uX8ANpT3JL5EfXw',
      hostUserId: 5,
      hostEmail: 'owner@acme.com',
      startsAt: '2023-05-25T09:30:00.000Z',
    });
  });

  it('keeps redacted values out of times and ids', () => {
    const webhook = parsed(example('booking-created.e2e-expected.json'));
    expect(webhook).toMatchObject({ startsAt: null, eventTypeId: null, hostUserId: null });
  });
});

describe('form-encoded bodies (a payload template that is not JSON)', () => {
  it('reads dotted keys as nested fields and embedded JSON', () => {
    const body = new URLSearchParams({
      triggerEvent: 'BOOKING_CANCELLED',
      'payload.uid': 'abc',
      'payload.startTime': '2030-01-02T10:00:00+00:00',
      'payload.attendees.0.email': 'ann@example.com',
      'payload.metadata': '{"appointmentId":"a-1"}',
    }).toString();
    expect(parsed(body, 'application/x-www-form-urlencoded')).toMatchObject({
      shape: 'form',
      triggerEvent: 'BOOKING_CANCELLED',
      bookingUid: 'abc',
      startsAt: '2030-01-02T10:00:00.000Z',
      attendees: [{ email: 'ann@example.com' }],
      appointmentId: 'a-1',
    });
  });

  it('reads a whole payload given as one JSON field', () => {
    const body = `triggerEvent=BOOKING_CREATED&payload=${encodeURIComponent(JSON.stringify({ uid: 'u1', eventTypeId: 101 }))}`;
    expect(parsed(body, 'application/x-www-form-urlencoded; charset=utf-8')).toMatchObject({ bookingUid: 'u1', eventTypeId: 101, shape: 'form' });
  });

  it('recognises a form body sent without a content type', () => {
    expect(parsed('triggerEvent=PING&uid=x', null)).toMatchObject({ triggerEvent: 'PING', bookingUid: 'x', shape: 'form' });
  });
});

describe('malformed bodies', () => {
  it.each([
    ['not JSON', '{"triggerEvent":', 'application/json', 'neither JSON nor form-encoded'],
    ['a JSON array', '[1,2]', 'application/json', 'not an object'],
    ['no trigger', example('payload-template.help-docs.json'), 'application/json', 'no triggerEvent'],
    ['an empty trigger', '{"triggerEvent":"  ","payload":{}}', 'application/json', 'no triggerEvent'],
    ['a form without a trigger', 'uid=x', 'application/x-www-form-urlencoded', 'no triggerEvent'],
  ])('%s is refused with a reason', (_name, body, contentType, reason) => {
    const result = parseCalcomWebhook(body, contentType);
    expect(result.ok).toBe(false);
    expect(!result.ok && result.reason).toContain(reason);
  });

  it('accepts an unknown trigger as it is, upper-cased', () => {
    expect(parsed('{"triggerEvent":"recording_ready","payload":{"uid":"z"}}').triggerEvent).toBe('RECORDING_READY');
  });
});

describe('the webhook input rules', () => {
  const FORM = 'application/x-www-form-urlencoded';
  const cancel = (payload: Record<string, unknown>) => JSON.stringify({ triggerEvent: 'BOOKING_CANCELLED', payload: { uid: 'u1', ...payload } });

  it.each([
    ['__proto__[x]=1', '"__proto__"'],
    ['__proto__.x=1', '"__proto__"'],
    ['a[__proto__][y]=1', '"__proto__"'],
    ['constructor[prototype][z]=1', '"constructor"'],
    ['payload.prototype=1', '"prototype"'],
    ['payload={"__proto__":{"x":1}}', '"__proto__"'],
    ['payload.cancellationReason=a%00b', 'NUL'],
    ['payload.cancellationReason=a%ED%A0%80b', 'not UTF-8'],
    [`${'a.'.repeat(40)}b=1`, 'deeper'],
  ])('a form with %s is refused (%s), and nothing is polluted', (pair, reason) => {
    const result = parseCalcomWebhook(`triggerEvent=BOOKING_CANCELLED&${pair}`, FORM);
    expect(result.ok).toBe(false);
    expect(!result.ok && result.reason).toContain(reason);
    expect(({} as Record<string, unknown>).x).toBeUndefined();
    expect(({} as Record<string, unknown>).z).toBeUndefined();
  });

  it('reads a form into objects without a prototype, with brackets as well as dots', () => {
    const webhook = parsed('triggerEvent=BOOKING_CREATED&payload[uid]=f1&payload.attendees[0][email]=a%40example.com&payload.metadata.appointmentId=ap-1', FORM);
    expect(webhook).toMatchObject({ bookingUid: 'f1', appointmentId: 'ap-1', attendees: [{ email: 'a@example.com' }] });
    expect(Object.getPrototypeOf(webhook.metadata)).toBeNull();
  });

  it.each([
    ['a NUL escaped in the reason', cancel({ cancellationReason: 'a\u0000b' }), 'NUL'],
    ['a lone surrogate in a field never read', cancel({ responses: { x: '\udc00' } }), 'surrogates'],
    ['a NUL in a key', cancel({ 'k\u0000': 1 }), 'NUL'],
    ['a raw NUL in the body', cancel({ cancellationReason: 'ab' }).replace('ab', 'a\u0000b'), 'NUL'],
    ['a key __proto__', '{"triggerEvent":"PING","payload":{"__proto__":{"x":1}}}', '"__proto__"'],
    ['100,000 levels', `{"triggerEvent":"PING","payload":${'['.repeat(100_000)}${']'.repeat(100_000)}}`, 'deeper'],
    ['a control character in the uid', cancel({ uid: 'u\u00071' }), 'uid must be a single line'],
    ['31 February', cancel({ startTime: '2031-02-31T10:00:00Z' }), 'startTime must name a real calendar day'],
    ['the year 9999', cancel({ startTime: '9999-01-01T10:00:00Z' }), 'startTime must have a year'],
    ['an offset of +23:59', cancel({ endTime: '2031-01-01T10:00:00+23:59' }), 'endTime must have an offset'],
    ['an event type id of 1e30', '{"triggerEvent":"BOOKING_CREATED","payload":{"uid":"u","eventTypeId":1e30}}', 'eventTypeId must be a positive safe integer'],
    ['a host id of 2^63 as digits', '{"triggerEvent":"BOOKING_CREATED","payload":{"uid":"u","organizer":{"id":"9223372036854775808"}}}', 'organizer.id'],
    ['a negative user id', '{"triggerEvent":"MEETING_ENDED","uid":"u","userId":-4}', 'userId'],
    ['an over-long e-mail', cancel({ attendees: [{ email: `${'a'.repeat(250)}@example.com` }] }), 'attendees.0.email must be at most'],
    ['metadata.appointmentId __proto__', cancel({ metadata: { appointmentId: '__proto__' } }), 'metadata.appointmentId'],
  ])('%s is refused, naming the field', (_name, body, reason) => {
    const result = parseCalcomWebhook(body, 'application/json');
    expect(result.ok).toBe(false);
    expect(!result.ok && result.reason).toContain(reason);
  });

  it('cuts an over-long free text instead of refusing it (a long reason is still a cancellation)', () => {
    const webhook = parsed(cancel({ cancellationReason: `${'r'.repeat(499)}😀tail` }));
    expect(webhook.cancellationReason).toHaveLength(500);
    expect(webhook.cancellationReason!.endsWith('…')).toBe(true);
    expect(webhook.cancellationReason).not.toMatch(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])/);
  });

  it('reads a template placeholder where a date or an id belongs as absent, as before', () => {
    expect(parsed(cancel({ startTime: '[redacted/dynamic]', eventTypeId: '[redacted/dynamic]' }))).toMatchObject({ startsAt: null, eventTypeId: null });
  });
});
