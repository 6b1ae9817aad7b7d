import { startSandbox, type RunningSandbox } from '../src/index.js';
import { OPERATIONS_IN_DOCUMENT, assertExactlySchema, assertValidRequestBody, assertValidResponse, matchesUntranslatedRequestBody } from './support/openapi-validator.js';
import { attendee, sandboxClient, startAt, testClock } from './support/sandbox-client.js';

/** Every operation the sandbox emulates, called over HTTP, with request and response checked against Cal.com's document. */
let sandbox: RunningSandbox;
let client: ReturnType<typeof sandboxClient>;
const validated = new Set<string>();
const clock = testClock();

async function call(method: string, documentPath: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
  if (body !== undefined) assertValidRequestBody(method, documentPath, body);
  const reply = await client.v2(method, path, body, headers);
  assertValidResponse(method, documentPath, reply.status, reply.body);
  validated.add(`${method} ${documentPath}`);
  return reply;
}

beforeAll(async () => {
  sandbox = await startSandbox({ now: clock.now });
  client = sandboxClient(sandbox);
});
afterAll(() => sandbox.close());

test('create, get, list, reschedule, reassign and cancel all match the schemas, and bookings carry no undeclared field', async () => {
  const createBody = { eventTypeId: 103, start: startAt(2), attendee: attendee(), metadata: { ledgerAppointmentId: 'a-1' } };
  const created = await call('POST', '/v2/bookings', '/bookings', createBody);
  expect(created.status).toBe(201);
  assertExactlySchema('BookingOutput_2024_08_13', created.body.data);
  const uid = created.body.data.uid;

  const fetched = await call('GET', '/v2/bookings/{bookingUid}', `/bookings/${uid}`);
  assertExactlySchema('BookingOutput_2024_08_13', fetched.body.data);

  const listed = await call('GET', '/v2/bookings', '/bookings?take=10&status=upcoming');
  assertExactlySchema('PaginationMetaDto', listed.body.pagination);

  const rescheduled = await call('POST', '/v2/bookings/{bookingUid}/reschedule', `/bookings/${uid}/reschedule`, {
    start: startAt(3),
    reschedulingReason: 'Customer asked',
  });
  expect(rescheduled.status).toBe(201);
  assertExactlySchema('BookingOutput_2024_08_13', rescheduled.body.data);
  const newUid = rescheduled.body.data.uid;
  assertExactlySchema('BookingOutput_2024_08_13', (await call('GET', '/v2/bookings/{bookingUid}', `/bookings/${uid}`)).body.data);

  await call('POST', '/v2/bookings/{bookingUid}/reassign', `/bookings/${newUid}/reassign`);
  const hostNow = (await client.v2('GET', `/bookings/${newUid}`)).body.data.hosts[0].id;
  const otherHost = hostNow === 2 ? 3 : 2;
  const reassigned = await call('POST', '/v2/bookings/{bookingUid}/reassign/{userId}', `/bookings/${newUid}/reassign/${otherHost}`, {
    reason: 'Host has to take another call',
  });
  expect(reassigned.body.data).toEqual(expect.objectContaining({ bookingUid: newUid }));

  const cancelled = await call('POST', '/v2/bookings/{bookingUid}/cancel', `/bookings/${newUid}/cancel`, { cancellationReason: 'No longer needed' });
  assertExactlySchema('BookingOutput_2024_08_13', cancelled.body.data);
});

test('event types and me match their schemas', async () => {
  const eventTypes = await call('GET', '/v2/event-types', '/event-types', undefined, { 'cal-api-version': '2024-06-14' });
  expect(eventTypes.body.data.map((eventType: { id: number }) => eventType.id)).toEqual([101, 102, 103]);
  eventTypes.body.data.forEach((eventType: unknown) => assertExactlySchema('EventTypeOutput_2024_06_14', eventType));
  const v614 = { 'cal-api-version': '2024-06-14' };
  const personal = await call('GET', '/v2/event-types/{eventTypeId}', '/event-types/101', undefined, v614);
  assertExactlySchema('EventTypeOutput_2024_06_14', personal.body.data);
  // A team type comes back in the team shape, which the document declares only under /v2/teams/{teamId}/event-types.
  const team = await client.v2('GET', '/event-types/103', undefined, v614);
  assertExactlySchema('TeamEventTypeOutput_2024_06_14', team.body.data);
  const teams = await call('GET', '/v2/teams', '/teams');
  expect(teams.body.data.map((team: { id: number }) => team.id)).toEqual([1]);
  teams.body.data.forEach((team: unknown) => assertExactlySchema('TeamOutputDto', team));
  const teamTypes = await call('GET', '/v2/teams/{teamId}/event-types', '/teams/1/event-types');
  expect(teamTypes.body.data.map((eventType: { id: number }) => eventType.id)).toEqual([103]);
  teamTypes.body.data.forEach((eventType: unknown) => assertExactlySchema('TeamEventTypeOutput_2024_06_14', eventType));
  const slots = await call('GET', '/v2/slots', '/slots?eventTypeId=103&start=2030-01-09&end=2030-01-09&format=range', undefined, {
    'cal-api-version': '2024-09-04',
  });
  expect(Object.keys(slots.body.data)).toEqual(['2030-01-09']);
  const me = await call('GET', '/v2/me', '/me');
  assertExactlySchema('MeOutput', me.body.data);
  expect(me.body.data).toMatchObject({ id: 1, email: 'olivia@sandbox.example' });
});

test('confirm and decline of a confirmation-required booking match the schemas', async () => {
  const catalog = (await client.lever('GET', '/catalog')).body;
  const optIn = { id: 201, slug: 'opt-in-30', title: 'Opt in', lengthInMinutes: 30, ownerId: 1, schedulingType: null, requiresConfirmation: true };
  await client.lever('PUT', '/catalog', { ...catalog, eventTypes: [...catalog.eventTypes.filter((eventType: { id: number }) => eventType.id !== 201), optIn] });
  const first = (await call('POST', '/v2/bookings', '/bookings', { eventTypeId: 201, start: startAt(6), attendee: attendee() })).body.data;
  const second = (await call('POST', '/v2/bookings', '/bookings', { eventTypeId: 201, start: startAt(7), attendee: attendee() })).body.data;
  assertExactlySchema('BookingOutput_2024_08_13', first);
  const confirmed = await call('POST', '/v2/bookings/{bookingUid}/confirm', `/bookings/${first.uid}/confirm`);
  assertExactlySchema('BookingOutput_2024_08_13', confirmed.body.data);
  const declined = await call('POST', '/v2/bookings/{bookingUid}/decline', `/bookings/${second.uid}/decline`, { reason: 'Host is away' });
  assertExactlySchema('BookingOutput_2024_08_13', declined.body.data);
  expect([confirmed.body.data.status, declined.body.data.status]).toEqual(['accepted', 'rejected']);
});

test('mark-absent after the start matches the schemas', async () => {
  const guest = attendee();
  const booked = (await call('POST', '/v2/bookings', '/bookings', { eventTypeId: 101, start: startAt(8), attendee: guest })).body.data;
  const eightDays = 8 * 86_400_000;
  clock.advance(eightDays);
  try {
    const marked = await call('POST', '/v2/bookings/{bookingUid}/mark-absent', `/bookings/${booked.uid}/mark-absent`, {
      host: false,
      attendees: [{ email: guest.email, absent: true }],
    });
    assertExactlySchema('BookingOutput_2024_08_13', marked.body.data);
    expect(marked.body.data.attendees[0].absent).toBe(true);
  } finally {
    clock.advance(-eightDays);
  }
});

test('webhooks: create, list, read, change and delete match the schemas', async () => {
  const createBody = { subscriberUrl: 'https://ledger.example/webhooks/calcom', triggers: ['BOOKING_CREATED', 'BOOKING_CANCELLED'], active: true, secret: 'whsec-1' };
  const created = await call('POST', '/v2/webhooks', '/webhooks', createBody);
  expect(created.status).toBe(201);
  assertExactlySchema('UserWebhookOutputDto', created.body.data);
  expect(created.body.data).toMatchObject({ userId: 1, subscriberUrl: createBody.subscriberUrl, triggers: createBody.triggers, active: true, secret: 'whsec-1' });
  const id = created.body.data.id;
  const listed = await call('GET', '/v2/webhooks', '/webhooks?take=250&skip=0');
  expect(listed.body.data.map((webhook: { id: number }) => webhook.id)).toEqual([id]);
  listed.body.data.forEach((webhook: unknown) => assertExactlySchema('UserWebhookOutputDto', webhook));
  assertExactlySchema('UserWebhookOutputDto', (await call('GET', '/v2/webhooks/{webhookId}', `/webhooks/${id}`)).body.data);
  const patched = await call('PATCH', '/v2/webhooks/{webhookId}', `/webhooks/${id}`, { active: false, triggers: ['BOOKING_RESCHEDULED'] });
  expect(patched.body.data).toMatchObject({ active: false, triggers: ['BOOKING_RESCHEDULED'], secret: 'whsec-1' });
  const deleted = await call('DELETE', '/v2/webhooks/{webhookId}', `/webhooks/${id}`);
  assertExactlySchema('UserWebhookOutputDto', deleted.body.data);
  expect((await client.v2('GET', `/webhooks/${id}`)).status).toBe(404);
  expect(() => assertValidRequestBody('POST', '/v2/webhooks', { subscriberUrl: 'https://x.example', triggers: ['NOT_A_TRIGGER'], active: true })).toThrow(/enum/);
});

test('every operation in the copied document has been exercised', () => {
  expect([...validated].sort()).toEqual([...OPERATIONS_IN_DOCUMENT].sort());
});

test('the validator can fail: a booking missing a required field or with an undeclared one is refused', async () => {
  const booking = (await client.v2('POST', '/bookings', { eventTypeId: 101, start: startAt(5), attendee: attendee() })).body.data;
  const { uid: _uid, ...withoutUid } = booking;
  expect(() => assertExactlySchema('BookingOutput_2024_08_13', withoutUid)).toThrow(/uid/);
  expect(() => assertExactlySchema('BookingOutput_2024_08_13', { ...booking, ledgerId: 'x' })).toThrow(/additionalProperties/);
  expect(() => assertValidRequestBody('POST', '/v2/bookings', { start: startAt(5) })).toThrow(/attendee/);
});

test("Cal.com's document needs its oneOf read as anyOf: a plain create body matches two branches", () => {
  const body = { eventTypeId: 101, start: startAt(5), attendee: attendee() };
  expect(matchesUntranslatedRequestBody('POST', '/v2/bookings', body)).toBe(false);
  expect(() => assertValidRequestBody('POST', '/v2/bookings', body)).not.toThrow();
});
