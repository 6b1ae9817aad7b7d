import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import { connect } from 'node:net';
import type { LoggerService } from '@nestjs/common';
import { applyHttpServerLimits } from '../../apps/ledger/src/http/http-server-limits.js';
import type { RunningLedger } from '../../apps/ledger/src/ledger.js';
import { ADMIN_TOKEN, startTestLedger } from '../support/ledger-for-tests.js';
import { LedgerClient, type ApiResponse } from '../support/ledger-client.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';
import { customer, inDays } from '../support/appointment-fixtures.js';

/**
 * Every HTTP boundary of the ledger refuses what it cannot store, with a 4xx in the error shape and nothing
 * appended: hostile text, ids, dates, numbers, JSON shapes, query strings, cursors, methods, sizes and broken HTTP.
 * The ledger runs with a logger that records errors, so a 500 anywhere in the suite fails the last test.
 */

let database: TestDatabase;
let ledger: RunningLedger;
let admin: LedgerClient;
const loggedErrors: string[] = [];

const recordingLogger: LoggerService = {
  log: () => undefined,
  warn: () => undefined,
  debug: () => undefined,
  verbose: () => undefined,
  error: (message: unknown) => {
    loggedErrors.push(typeof message === 'string' ? message : JSON.stringify(message));
  },
};

let nextFreeDay = 400;
/** Each booking on a day of its own, so none is refused for overlapping another. */
const validBooking = (overrides: Record<string, unknown> = {}) => ({
  appointmentId: randomUUID(),
  serviceId: 'cut',
  staffId: 'sam',
  startsAt: inDays(nextFreeDay++),
  customer,
  ...overrides,
});

const NUL = 'a\u0000b';
const LONE_HIGH = 'a\uD800b';
const LONE_LOW = 'a\uDC00b';

beforeAll(async () => {
  database = await createTestDatabase('hostile_http');
  ledger = await startTestLedger(database.url, {}, { logger: recordingLogger });
  admin = new LedgerClient(ledger.url, ADMIN_TOKEN);
  expect((await admin.put('/staff/sam', { name: 'Sam', email: 'sam@salon.example', calcomUserId: 1 })).status).toBe(200);
  expect((await admin.put('/staff/kim', { name: 'Kim', email: 'kim@salon.example', calcomUserId: 2 })).status).toBe(200);
  expect((await admin.put('/services/cut', { name: 'Haircut', durationMinutes: 30, calcomEventTypeIds: { sam: 1001, kim: 1002 } })).status).toBe(200);
});

afterAll(async () => {
  await ledger?.close();
  await database?.drop();
});

function expectError(response: ApiResponse, status: number, code: string): void {
  expect({ status: response.status, code: response.body?.error?.code }).toEqual({ status, code });
  expect(response.body).toEqual({ error: { code, message: expect.any(String), details: expect.any(Object) } });
}

const fieldsOf = (response: ApiResponse): string[] => (response.body.error.details.fields ?? []).map((f: { field: string }) => f.field);

async function expectNoAppointment(appointmentId: string): Promise<void> {
  expect((await admin.get(`/appointments/${appointmentId}`)).status).toBe(404);
}

async function scheduled(): Promise<{ appointmentId: string; version: number }> {
  const response = await admin.post('/appointments', validBooking());
  expect(response.status).toBe(201);
  return response.body;
}

describe('text fields refuse what PostgreSQL cannot keep', () => {
  const tooLong = (length: number) => 'x'.repeat(length + 1);
  const cases: [string, (value: string) => Record<string, unknown>, string[]][] = [
    ['customer.name', (value) => ({ customer: { ...customer, name: value } }), [NUL, LONE_HIGH, LONE_LOW, 'two\nlines', '', tooLong(200)]],
    ['customer.email', (value) => ({ customer: { ...customer, email: value } }), ['a\u0000@example.com', `a${'\uD800'}@example.com`, 'a@exa\u0000mple.com', tooLong(254)]],
    ['customer.phone', (value) => ({ customer: { ...customer, phone: value } }), [NUL, LONE_LOW, '+44\r\n20', tooLong(40)]],
    ['customer.timeZone', (value) => ({ customer: { ...customer, timeZone: value } }), ['Europe/London\u0000', LONE_HIGH, 'Mars/Olympus', tooLong(64)]],
    ['notes', (value) => ({ notes: value }), [NUL, LONE_HIGH, LONE_LOW, 'bell\u0007', tooLong(2000)]],
  ];
  for (const [field, body, values] of cases) {
    it.each(values.map((value) => [JSON.stringify(value).slice(0, 30), value]))(`${field} = %s is a 400 and nothing is booked`, async (_label, value) => {
      const booking = validBooking(body(value));
      const response = await admin.post('/appointments', booking);
      expectError(response, 400, 'VALIDATION_FAILED');
      expect(fieldsOf(response)).toContain(field);
      await expectNoAppointment(booking.appointmentId as string);
    });
  }

  it('keeps multi-line notes, tabs and emoji as they are', async () => {
    const notes = 'line one\nline two\r\n\ttabbed 💇‍♀️';
    const booking = validBooking({ notes, customer: { ...customer, name: 'Zoë 😀 Ærø' } });
    expect((await admin.post('/appointments', booking)).status).toBe(201);
    const stored = await admin.get(`/appointments/${booking.appointmentId}`);
    expect(stored.body).toMatchObject({ notes, customer: { name: 'Zoë 😀 Ærø' } });
  });

  const reasons: [string, string, (value: string) => Record<string, unknown>][] = [
    ['cancel', 'reason', (reason) => ({ reason })],
    ['reschedule', 'reason', (reason) => ({ startsAt: inDays(5000), reason })],
    ['reassign', 'reason', (reason) => ({ staffId: 'kim', reason })],
    ['change-service', 'reason', (reason) => ({ serviceId: 'cut', reason })],
  ];
  for (const [command, field, body] of reasons) {
    it.each([NUL, LONE_HIGH, LONE_LOW, 'x'.repeat(501), 'esc\u001b[31m'])(`${command} with a hostile ${field} is a 400 and the appointment is unchanged`, async (value) => {
      const { appointmentId, version } = await scheduled();
      const response = await admin.post(`/appointments/${appointmentId}/${command}`, body(value));
      expectError(response, 400, 'VALIDATION_FAILED');
      expect(fieldsOf(response)).toContain(field);
      const after = await admin.get(`/appointments/${appointmentId}`);
      expect(after.body).toMatchObject({ version, status: 'scheduled' });
    });
  }

  it('refuses an empty cancellation reason', async () => {
    const { appointmentId } = await scheduled();
    expectError(await admin.post(`/appointments/${appointmentId}/cancel`, { reason: '' }), 400, 'VALIDATION_FAILED');
  });

  it.each([
    ['name', { name: NUL, email: 'x@salon.example' }],
    ['name', { name: LONE_HIGH, email: 'x@salon.example' }],
    ['email', { name: 'X', email: 'x\u0000@salon.example' }],
    ['name', { name: 'x'.repeat(201), email: 'x@salon.example' }],
  ])('a staff member whose %s is hostile is a 400 and is not saved', async (field, body) => {
    const staffId = `s${randomUUID().slice(0, 8)}`;
    const response = await admin.put(`/staff/${staffId}`, body);
    expectError(response, 400, 'VALIDATION_FAILED');
    expect(fieldsOf(response)).toContain(field);
    expect((await admin.get('/staff')).body.items.map((s: { staffId: string }) => s.staffId)).not.toContain(staffId);
  });
});

describe('ids', () => {
  it.each(['__proto__', 'constructor', 'prototype', '-leading-dash', 'a'.repeat(65), 'a b', 'ä', 'a/b', '', NUL])('appointmentId %j in a body is a 400', async (appointmentId) => {
    const response = await admin.post('/appointments', validBooking({ appointmentId }));
    expectError(response, 400, 'VALIDATION_FAILED');
    expect(fieldsOf(response)).toContain('appointmentId');
  });

  it.each([['serviceId'], ['staffId']])('%s naming a prototype word is a 400, not a lookup', async (field) => {
    for (const id of ['__proto__', 'constructor', 'prototype']) {
      const booking = validBooking({ [field]: id });
      const response = await admin.post('/appointments', booking);
      expectError(response, 400, 'VALIDATION_FAILED');
      await expectNoAppointment(booking.appointmentId as string);
    }
  });

  it.each(['__proto__', 'constructor', 'prototype', '%00', '%F0%9F%98%80', 'a'.repeat(65)])('PUT /staff/%s is a 400 and saves nothing', async (id) => {
    const before = (await admin.get('/staff')).body.items.length;
    expectError(await admin.put(`/staff/${id}`, { name: 'X', email: 'x@salon.example' }), 400, 'VALIDATION_FAILED');
    expectError(await admin.put(`/services/${id}`, { name: 'X', durationMinutes: 30, calcomEventTypeIds: {} }), 400, 'VALIDATION_FAILED');
    expect((await admin.get('/staff')).body.items).toHaveLength(before);
  });

  it('an id of `..`, sent as is (fetch would make it `/`), is a 404, not a walk up the path', async () => {
    for (const path of ['/appointments/..', '/appointments/../history', '/conflicts/..', '/appointments/%2E%2E']) {
      const answer = await rawExchange(`GET ${path} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${ADMIN_TOKEN}\r\nConnection: close\r\n\r\n`);
      expectRawError(answer, 404, 'NOT_FOUND');
    }
  });

  it.each(['__proto__', 'constructor', 'prototype', '%00', '%0A', '%F0%9F%98%80', 'a'.repeat(65)])('an impossible path id %s is a 404', async (id) => {
    expectError(await admin.get(`/appointments/${id}`), 404, 'NOT_FOUND');
    expectError(await admin.get(`/appointments/${id}/history`), 404, 'NOT_FOUND');
    expectError(await admin.post(`/appointments/${id}/cancel`, { reason: 'x' }), 404, 'NOT_FOUND');
    expectError(await admin.get(`/conflicts/${id}`), 404, 'NOT_FOUND');
  });

  it('a path that cannot be percent-decoded is a 400, not a 500', async () => {
    expectError(await admin.get('/appointments/%E0%A4%A'), 400, 'VALIDATION_FAILED');
    expectError(await admin.get('/appointments/%ED%A0%80'), 400, 'VALIDATION_FAILED'); // an encoded lone surrogate
    expectError(await admin.post('/appointments/%/cancel', { reason: 'x' }), 400, 'VALIDATION_FAILED');
  });
});

describe('date-times are real instants within the window', () => {
  const impossible = [
    '2036-02-31T10:00:00+00:00',
    '2031-02-29T10:00:00Z',
    '2030-04-31T10:00:00Z',
    '0000-01-01T10:00:00Z',
    '9999-12-31T10:00:00Z',
    '2200-01-01T00:00:00Z',
    '2030-13-01T10:00:00Z',
    '2030-01-01T24:00:00Z',
    '2030-01-01T10:60:00Z',
    '2030-01-01T10:00:60Z',
    '2030-01-01T10:00:00+23:59',
    '2030-01-01T10:00:00+14:01',
    '2030-01-01T10:00:00+05:60',
    '2030-01-01T10:00:00',
    '2030-01-01',
    '+02030-01-01T10:00:00Z',
    '2030-01-01T10:00:00Z\u0000',
  ];

  it.each(impossible)('startsAt %j is a 400 and nothing is booked (never rolled over)', async (startsAt) => {
    const booking = validBooking({ startsAt });
    const response = await admin.post('/appointments', booking);
    expectError(response, 400, 'VALIDATION_FAILED');
    expect(fieldsOf(response)).toContain('startsAt');
    await expectNoAppointment(booking.appointmentId as string);
  });

  it.each(impossible.slice(0, 8))('rescheduling to %j is a 400 and the appointment keeps its time', async (startsAt) => {
    const { appointmentId, version } = await scheduled();
    const before = await admin.get(`/appointments/${appointmentId}`);
    expectError(await admin.post(`/appointments/${appointmentId}/reschedule`, { startsAt }), 400, 'VALIDATION_FAILED');
    expect((await admin.get(`/appointments/${appointmentId}`)).body).toMatchObject({ version, startsAt: before.body.startsAt });
  });

  it('accepts the edges of the window and of the offsets', async () => {
    expect((await admin.post('/appointments', validBooking({ startsAt: '2199-12-31T10:00:00+14:00' }))).status).toBe(201);
    expect((await admin.post('/appointments', validBooking({ startsAt: '2199-12-30T10:00:00.123456789-14:00' }))).status).toBe(201);
  });
});

describe('Cal.com ids and the event type map', () => {
  it('keeps a Cal.com user id past 32 bits, up to the largest safe integer', async () => {
    for (const calcomUserId of [2147483648, Number.MAX_SAFE_INTEGER]) {
      const staffId = `big${String(calcomUserId).length}`;
      const response = await admin.put(`/staff/${staffId}`, { name: 'Big', email: 'big@salon.example', calcomUserId });
      expect(response.status).toBe(200);
      const listed = (await admin.get('/staff')).body.items.find((s: { staffId: string }) => s.staffId === staffId);
      expect(listed).toMatchObject({ calcomUserId });
    }
  });

  it.each([
    ['2^53', '9007199254740992'],
    ['past 2^53', '9007199254740993'],
    ['1e300', '1e300'],
    ['a float', '1.5'],
    ['zero', '0'],
    ['negative', '-1'],
    ['a string', '"5"'],
    ['an object', '{}'],
    ['true', 'true'],
  ])('calcomUserId as %s is a 400 and the staff member is not saved', async (_label, literal) => {
    const staffId = `u${randomUUID().slice(0, 8)}`;
    const response = await admin.put(`/staff/${staffId}`, `{"name":"U","email":"u@salon.example","calcomUserId":${literal}}`);
    expectError(response, 400, 'VALIDATION_FAILED');
    expect(fieldsOf(response)).toContain('calcomUserId');
    expect((await admin.get('/staff')).body.items.map((s: { staffId: string }) => s.staffId)).not.toContain(staffId);
  });

  it.each([
    '{"constructor":101}',
    '{"__proto__":101}',
    '{"prototype":101}',
    '{"sam":1.5}',
    '{"sam":"101"}',
    '{"sam":9007199254740993}',
    '{"sam":0}',
    '{"a b":101}',
    '{"":101}',
    '[101]',
    '"sam"',
    'null',
  ])('calcomEventTypeIds %s is a 400 and the service is not saved', async (literal) => {
    const serviceId = `v${randomUUID().slice(0, 8)}`;
    const response = await admin.put(`/services/${serviceId}`, `{"name":"S","durationMinutes":30,"calcomEventTypeIds":${literal}}`);
    expectError(response, 400, 'VALIDATION_FAILED');
    expect((await admin.get('/services')).body.items.map((s: { serviceId: string }) => s.serviceId)).not.toContain(serviceId);
  });
});

describe('JSON bodies are bounded before anything walks them', () => {
  const nested = (depth: number) => `{"notes":${'['.repeat(depth)}${']'.repeat(depth)}}`;

  it.each([33, 200, 5_000, 100_000])('a body nested %i levels is a 400, never a stack overflow', async (depth) => {
    const response = await admin.post('/appointments', nested(depth));
    expectError(response, 400, 'VALIDATION_FAILED');
    expect(response.body.error.details.reason).toMatch(/deeper than 32/);
  });

  it.each([
    ['top level', (b: Record<string, unknown>) => `{"__proto__":{"polluted":true},${JSON.stringify(b).slice(1)}`],
    ['in customer', (b: Record<string, unknown>) => JSON.stringify(b).replace('"customer":{', '"customer":{"__proto__":{"admin":true},')],
    ['constructor', (b: Record<string, unknown>) => JSON.stringify({ ...b, customer: { ...customer, constructor: { prototype: {} } } })],
    ['__lookupSetter__', (b: Record<string, unknown>) => JSON.stringify({ ...b, __lookupSetter__: { polluted: true } })],
    ['hasOwnProperty in customer', (b: Record<string, unknown>) => JSON.stringify({ ...b, customer: { ...customer, hasOwnProperty: 1 } })],
    ['toString', (b: Record<string, unknown>) => JSON.stringify({ ...b, toString: 'x' })],
  ])('a forbidden key (%s) is a 400 and nothing is booked or polluted', async (_label, build) => {
    const booking = validBooking();
    const response = await admin.post('/appointments', build(booking));
    expectError(response, 400, 'VALIDATION_FAILED');
    await expectNoAppointment(booking.appointmentId as string);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('a JSON body under the webhook path (the retry endpoint) goes through the same guards, not the raw webhook reader', async () => {
    const response = await admin.post('/webhooks/calcom/facts/no-such-fact/retry', nested(5_000));
    expectError(response, 400, 'VALIDATION_FAILED');
  });

  it.each(['[]', '[{"reason":"x"}]', '"text"', '42', 'null', 'true'])('a body %s that is not an object is a 400', async (body) => {
    const { appointmentId, version } = await scheduled();
    expectError(await admin.post(`/appointments/${appointmentId}/cancel`, body), 400, 'VALIDATION_FAILED');
    expect((await admin.get(`/appointments/${appointmentId}`)).body).toMatchObject({ version, status: 'scheduled' });
  });

  it('a body over 256 KiB is a 413', async () => {
    const booking = validBooking({ notes: 'x'.repeat(300 * 1024) });
    expectError(await admin.post('/appointments', booking), 413, 'PAYLOAD_TOO_LARGE');
    await expectNoAppointment(booking.appointmentId as string);
  });

  it.each([
    ['a lone continuation byte', Buffer.from([0x80])],
    ['an overlong NUL', Buffer.from([0xc0, 0x80])],
    ['an encoded surrogate', Buffer.from([0xed, 0xa0, 0x80])],
    ['a truncated sequence', Buffer.from([0xe2, 0x82])],
  ])('%s in a JSON string is a 400, never stored as U+FFFD', async (_label, bytes) => {
    const booking = validBooking();
    const [before, after] = JSON.stringify({ ...booking, notes: 'HERE' }).split('HERE');
    const response = await fetch(`${ledger.url}/appointments`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
      body: Buffer.concat([Buffer.from(before), bytes, Buffer.from(after)]),
    });
    expectError({ status: response.status, body: await response.json(), headers: response.headers }, 400, 'VALIDATION_FAILED');
    await expectNoAppointment(booking.appointmentId as string);
  });

  it.each([
    ['text/plain', 'text/plain'],
    ['a form', 'application/x-www-form-urlencoded'],
    ['multipart', 'multipart/form-data; boundary=x'],
    ['JSON-ish', 'application/jsonp'],
    ['no type at all', undefined],
  ])('a body sent as %s is a 415', async (_label, contentType) => {
    const booking = validBooking();
    const response = await fetch(`${ledger.url}/appointments`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ADMIN_TOKEN}`, ...(contentType ? { 'content-type': contentType } : {}) },
      body: contentType?.includes('form-urlencoded') ? `appointmentId=${booking.appointmentId}&serviceId=cut` : JSON.stringify(booking),
    });
    expectError({ status: response.status, body: await response.json(), headers: response.headers }, 415, 'UNSUPPORTED_MEDIA_TYPE');
    await expectNoAppointment(booking.appointmentId as string);
  });

  it.each(['/webhooks/calcom', '/Webhooks/Calcom/'])('the Cal.com webhook at %s still reads its own form bodies (its signature check answers, not a 415)', async (path) => {
    const response = await fetch(`${ledger.url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-cal-signature-256': 'not-a-signature' },
      body: 'triggerEvent=BOOKING_CREATED',
    });
    expectError({ status: response.status, body: await response.json(), headers: response.headers }, 401, 'INVALID_SIGNATURE');
  });

  it('malformed JSON is a 400', async () => {
    for (const body of ['{', '{"a":1,}', "{'a':1}", '{"a":1}{"b":2}']) {
      expectError(await admin.post('/appointments', body), 400, 'VALIDATION_FAILED');
    }
  });
});

describe('query parameters', () => {
  const cursorOf = (value: string | Buffer) => Buffer.from(value).toString('base64url');

  it.each([
    'limit=0x10',
    'limit=1e1',
    'limit=%2016',
    'limit=16.0',
    'limit=',
    'limit=0',
    'limit=201',
    'limit=-1',
    'limit=99999999999999999999',
    'limit=1&limit=2',
    'status[a]=b',
    'status=scheduled&status=cancelled',
    'status=%00',
    'staffId=sam%00',
    'staffId=__proto__',
    'unknown=%00',
    'a.b=c',
    'from=2031-02-31T10:00:00Z',
    'to=2031-02-31T10:00:00Z',
    'from=0000-01-01T00:00:00Z',
    'to=9999-12-31T23:59:59Z',
    'from=2030-01-01T10:00:00%2B23:59',
    'from=2030-01-01T10:00:00',
    `from=${'9'.repeat(900)}`,
    'cursor=garbage!',
    'cursor=%00',
    `cursor=${cursorOf('not json')}`,
    `cursor=${cursorOf('[1,2]')}`,
    `cursor=${cursorOf('{"startsAt":"2030-01-01T10:00:00Z","appointmentId":"a"}')}`,
    `cursor=${cursorOf('["2031-02-31T10:00:00Z","a"]')}`,
    `cursor=${cursorOf('["2030-01-01T10:00:00+23:59","a"]')}`,
    `cursor=${cursorOf('["2030-01-01T10:00:00Z","a\\u0000b"]')}`,
    `cursor=${cursorOf('["2030-01-01T10:00:00Z","__proto__"]')}`,
    `cursor=${cursorOf('["2030-01-01T10:00:00Z","a","extra"]')}`,
    `cursor=${cursorOf(Buffer.from([0x5b, 0x22, 0xff, 0xfe, 0x22, 0x5d]))}`,
    `cursor=${cursorOf(JSON.stringify(['2030-01-01T10:00:00Z', 'a'.repeat(600)]))}`,
    `cursor=${'A'.repeat(501)}`,
  ])('GET /appointments?%s is a 400', async (query) => {
    const before = (await admin.get('/appointments?limit=200')).body.items.length;
    expectError(await admin.get(`/appointments?${query}`), 400, 'VALIDATION_FAILED');
    expect((await admin.get('/appointments?limit=200')).body.items).toHaveLength(before);
  });

  it('still pages with the cursors it hands out, and reads plain decimal limits', async () => {
    await scheduled();
    await scheduled();
    const first = await admin.get('/appointments?limit=1&status=scheduled&staffId=sam&from=2000-01-01T00:00:00Z');
    expect(first.status).toBe(200);
    expect(first.body.items).toHaveLength(1);
    const second = await admin.get(`/appointments?limit=01&cursor=${first.body.nextCursor}`);
    expect(second.status).toBe(200);
    expect(second.body.items[0].appointmentId).not.toBe(first.body.items[0].appointmentId);
  });

  it.each([
    'asOf=2031-02-31T10:00:00Z',
    'asOf=2030-01-01T10:00:00%2B23:59',
    'asOf=0000-01-01T00:00:00Z',
    'asOf=%00',
    'asOf=yesterday',
    'asOf=2030-01-01T10:00:00Z&asOf=2030-01-02T10:00:00Z',
  ])('GET /appointments/{id}?%s is a 400', async (query) => {
    const { appointmentId } = await scheduled();
    expectError(await admin.get(`/appointments/${appointmentId}?${query}`), 400, 'VALIDATION_FAILED');
  });

  it.each([
    '/notifications?limit=0x10',
    '/notifications?kind=conflict&kind=sync_failed',
    '/notifications?kind=%00',
    '/webhooks/calcom/facts?limit=1e2',
    '/webhooks/calcom/facts?appointmentId=%00',
    '/webhooks/calcom/facts?appointmentId=a&appointmentId=b',
    '/webhooks/calcom/facts?appointmentId=__proto__',
    '/webhooks/calcom/facts?outcome[x]=applied',
    '/conflicts?status[a]=b',
    '/conflicts?status=open%00',
    '/drift/history?limit=0x10',
    '/drift/history?limit=%EF%BF%BF',
    '/staff?x=%00',
    '/health?x[y]=1',
  ])('GET %s is a 400', async (path) => {
    expectError(await admin.get(path), 400, 'VALIDATION_FAILED');
  });
});

describe('methods', () => {
  it.each([
    ['DELETE', '/appointments', ['GET', 'POST']],
    ['PUT', '/appointments', ['GET', 'POST']],
    ['PUT', '/appointments/some-id/cancel', ['POST']],
    ['GET', '/appointments/some-id/cancel', ['POST']],
    ['DELETE', '/appointments/some-id', ['GET']],
    ['PATCH', '/staff/sam', ['PUT']],
    ['POST', '/services', ['GET']],
    ['GET', '/webhooks/calcom', ['POST']],
    ['DELETE', '/health', ['GET']],
  ])('%s %s is a 405 naming what it takes', async (method, path, allowed) => {
    const response = await admin.request(method, path, undefined);
    expectError(response, 405, 'METHOD_NOT_ALLOWED');
    const allow = (response.headers.get('allow') ?? '').split(', ');
    expect(allow).toEqual(expect.arrayContaining(allowed));
    expect(allow).not.toContain(method);
  });

  it('OPTIONS on a known path answers its methods; an unknown path is still a 404', async () => {
    const options = await admin.request('OPTIONS', '/appointments/x/reschedule', undefined);
    expect(options.status).toBe(204);
    expect(options.headers.get('allow')).toContain('POST');
    for (const method of ['GET', 'DELETE', 'POST']) expectError(await admin.request(method, '/no-such-thing', undefined), 404, 'NOT_FOUND');
  });

  it('a wrong method books nothing', async () => {
    const booking = validBooking();
    expectError(await admin.request('PUT', '/appointments', booking), 405, 'METHOD_NOT_ALLOWED');
    await expectNoAppointment(booking.appointmentId as string);
  });
});

interface RawAnswer {
  status: number;
  headers: string;
  body: string;
}

/** Writes raw bytes to the ledger's port and reads one answer: for what fetch would refuse to send. */
function rawExchange(bytes: string | Buffer, { halfClose = false, url = ledger.url } = {}): Promise<RawAnswer | null> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname);
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no answer within 10 s; received ${JSON.stringify(Buffer.concat(chunks).toString().slice(0, 200))}`));
    }, 10_000);
    const finish = () => {
      clearTimeout(timer);
      const text = Buffer.concat(chunks).toString('utf8');
      if (!text) return resolve(null);
      const [head, ...rest] = text.split('\r\n\r\n');
      resolve({ status: Number(head.split(' ')[1]), headers: head, body: rest.join('\r\n\r\n') });
    };
    socket.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      const text = Buffer.concat(chunks).toString('utf8');
      const length = /content-length: (\d+)/i.exec(text)?.[1];
      const bodyStart = text.indexOf('\r\n\r\n');
      if (length && bodyStart >= 0 && Buffer.byteLength(text.slice(bodyStart + 4)) >= Number(length)) {
        socket.destroy();
        finish();
      }
    });
    socket.on('close', finish);
    socket.on('error', () => undefined);
    socket.write(bytes, () => {
      if (halfClose) socket.end();
    });
  });
}

function expectRawError(answer: RawAnswer | null, status: number, code: string): void {
  expect(answer?.status).toBe(status);
  expect(answer?.headers).toMatch(/content-type: application\/json/i);
  expect(JSON.parse(answer!.body)).toEqual({ error: { code, message: expect.any(String), details: expect.any(Object) } });
}

describe('HTTP itself', () => {
  it.each([20 * 1024, 60 * 1024])('a %i-byte URL is a 414 in the error shape', async (length) => {
    const response = await admin.get(`/appointments?cursor=${'A'.repeat(length)}`);
    expectError(response, 414, 'URI_TOO_LONG');
  });

  it('a URL past what the server parses at all is a 431 in the error shape', async () => {
    const answer = await rawExchange(`GET /appointments?cursor=${'A'.repeat(300 * 1024)} HTTP/1.1\r\nHost: x\r\n\r\n`);
    expectRawError(answer, 431, 'HEADERS_TOO_LARGE');
  });

  it.each([20 * 1024, 300 * 1024])('%i bytes of headers are a 431 in the error shape', async (size) => {
    const answer = await rawExchange(`GET /health HTTP/1.1\r\nHost: x\r\nX-Padding: ${'p'.repeat(size)}\r\n\r\n`);
    expectRawError(answer, 431, 'HEADERS_TOO_LARGE');
  });

  it.each([
    ['a NUL in a header', `GET /health HTTP/1.1\r\nHost: x\r\nX-Actor: a\u0000b\r\n\r\n`],
    ['a request line that is not HTTP', 'HELLO\r\n\r\n'],
    ['a bad Content-Length', 'POST /appointments HTTP/1.1\r\nHost: x\r\nContent-Length: -5\r\n\r\n'],
    ['two Content-Lengths', 'POST /appointments HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\n{}'],
    ['an HTTP/1.1 request without Host', 'GET /staff HTTP/1.1\r\nAuthorization: Bearer x\r\n\r\n'],
  ])('%s is a 400 in the error shape', async (_label, request) => {
    expectRawError(await rawExchange(request), 400, 'BAD_REQUEST');
  });

  it('an Expect the server cannot meet is a 417 in the error shape and books nothing', async () => {
    const booking = validBooking();
    const body = JSON.stringify(booking);
    const answer = await rawExchange(
      `POST /appointments HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${ADMIN_TOKEN}\r\nContent-Type: application/json\r\n` +
        `Expect: x-nonsense\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
    );
    expectRawError(answer, 417, 'EXPECTATION_FAILED');
    await expectNoAppointment(booking.appointmentId as string);
  });

  it('a body shorter than its Content-Length, then the client stops sending, is answered in the error shape', async () => {
    const appointmentId = randomUUID();
    const partial = `{"appointmentId":"${appointmentId}","serviceId":"cut"`;
    const answer = await rawExchange(
      `POST /appointments HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${ADMIN_TOKEN}\r\nContent-Type: application/json\r\nContent-Length: ${partial.length + 100}\r\n\r\n${partial}`,
      { halfClose: true },
    );
    expectRawError(answer, 400, 'REQUEST_ABORTED');
    await expectNoAppointment(appointmentId);
  });

  it('a body that stops arriving before its Content-Length is answered 408 in the error shape', async () => {
    // The ledger waits REQUEST_TIMEOUT_MS (30 s, checked every 30 s); the same limits on a server with short ones.
    const server = createServer({ connectionsCheckingInterval: 50 }, (request, response) => request.resume().on('end', () => response.end('read')));
    applyHttpServerLimits(server, { requestTimeoutMs: 300 });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as { port: number };
      const answer = await rawExchange('POST /x HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"a":', {
        url: `http://127.0.0.1:${port}`,
      });
      expectRawError(answer, 408, 'REQUEST_TIMEOUT');
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('a client that disconnects mid-body is not a server error', async () => {
    const { hostname, port } = new URL(ledger.url);
    for (const path of ['/appointments', '/webhooks/calcom']) {
      const socket = connect(Number(port), hostname);
      await new Promise<void>((resolve) => socket.on('connect', resolve));
      const closed = new Promise((resolve) => socket.on('close', resolve));
      socket.write(`POST ${path} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${ADMIN_TOKEN}\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"a":`, () =>
        socket.resetAndDestroy(),
      );
      await closed;
    }
    // The server is still answering, and (checked in the last test) logged no 500 for it.
    expect((await admin.get('/health')).status).toBeLessThan(500);
  });
});

describe('after all of that', () => {
  it('the ledger still serves, books, and never logged a 500', async () => {
    const health = await admin.get('/health');
    expect(health.status).toBe(200);
    const booking = validBooking();
    expect((await admin.post('/appointments', booking)).status).toBe(201);
    expect((await admin.get(`/appointments/${booking.appointmentId}`)).status).toBe(200);
    expect(loggedErrors.filter((line) => line.includes('request failed'))).toEqual([]);
  });
});
