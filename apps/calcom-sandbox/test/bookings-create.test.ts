import { attendee, startAt, testClock } from './support/sandbox-client.js';
import { type SandboxUnderTest, startSandboxUnderTest } from './support/sandbox-under-test.js';

let sandbox: SandboxUnderTest;
const clock = testClock('2030-01-01T08:00:00.000Z');

beforeAll(async () => {
  sandbox = await startSandboxUnderTest({ now: clock.now });
});
beforeEach(() => sandbox.reset());
afterAll(() => sandbox?.close());

const book = (body: object) => sandbox.client.v2('POST', '/bookings', { attendee: attendee(), ...body });

test('a booking gets a uid, the event type length, its host, and is returned as GET returns it', async () => {
  const created = await book({ eventTypeId: 102, start: startAt(2, '09:00'), metadata: { ledgerAppointmentId: 'a-1', priority: 2 } });
  expect(created.status).toBe(201);
  expect(created.body.status).toBe('success');
  const booking = created.body.data;
  expect(booking.uid).toMatch(/^[1-9a-km-zA-HJ-NP-Z]{22}$/);
  expect(booking).toMatchObject({
    status: 'accepted',
    start: '2030-01-02T09:00:00.000Z',
    end: '2030-01-02T10:00:00.000Z',
    duration: 60,
    eventTypeId: 102,
    eventType: { id: 102, slug: 'assessment-60' },
    hosts: [{ id: 1, email: 'olivia@sandbox.example' }],
    title: 'Assessment between Olivia Owner and Ann Lee',
    metadata: { ledgerAppointmentId: 'a-1', priority: 2 },
    attendees: [{ name: 'Ann Lee', email: 'ann@example.com', timeZone: 'Europe/Berlin', absent: false }],
    createdAt: '2030-01-01T08:00:00.000Z',
    updatedAt: '2030-01-01T08:00:00.000Z',
  });
  expect((await sandbox.client.v2('GET', `/bookings/${booking.uid}`)).body).toEqual({ status: 'success', data: booking });
});

test('an event type can be named by slug and username', async () => {
  const created = await book({ eventTypeSlug: 'consultation-30', username: 'olivia', start: startAt(2) });
  expect(created.body.data.eventType).toEqual({ id: 101, slug: 'consultation-30' });
  const unknown = await book({ eventTypeSlug: 'nope', username: 'olivia', start: startAt(2) });
  expect(unknown.status).toBe(404);
  expect(unknown.body.error.message).toBe('Event type with slug nope belonging to user olivia not found.');
});

test('a start in the past is refused with Cal.com message', async () => {
  const reply = await book({ eventTypeId: 101, start: '2029-12-31T10:00:00.000Z' });
  expect(reply.status).toBe(400);
  expect(reply.body).toMatchObject({
    status: 'error',
    path: '/v2/bookings',
    error: { code: 'BadRequestException', message: 'Attempting to book a meeting in the past.' },
  });
  expect(new Date(reply.body.timestamp).toISOString()).toBe(reply.body.timestamp);
});

test('a host cannot hold two overlapping bookings; touching ones are fine', async () => {
  expect((await book({ eventTypeId: 102, start: startAt(2, '09:00') })).status).toBe(201);
  const overlapping = await book({ eventTypeId: 101, start: startAt(2, '09:30'), attendee: attendee('Bo', 'bo@example.com') });
  expect(overlapping.status).toBe(400);
  expect(overlapping.body.error.message).toBe('User either already has booking at this time or is not available');
  expect((await book({ eventTypeId: 101, start: startAt(2, '10:00') })).status).toBe(201);
});

test('round-robin picks a free host and, when none is free, refuses with the team message', async () => {
  const first = await book({ eventTypeId: 103, start: startAt(3) });
  const second = await book({ eventTypeId: 103, start: startAt(3), attendee: attendee('Bo', 'bo@example.com') });
  expect([first.body.data.hosts[0].id, second.body.data.hosts[0].id].sort()).toEqual([2, 3]);
  const third = await book({ eventTypeId: 103, start: startAt(3, '10:15'), attendee: attendee('Cy', 'cy@example.com') });
  expect(third.status).toBe(400);
  expect(third.body.error.message).toBe('One of the hosts either already has booking at this time or is not available');
});

test('a cancelled booking frees its slot', async () => {
  const booking = (await book({ eventTypeId: 101, start: startAt(4) })).body.data;
  await sandbox.client.v2('POST', `/bookings/${booking.uid}/cancel`, { cancellationReason: 'freeing the slot' });
  expect((await book({ eventTypeId: 101, start: startAt(4) })).status).toBe(201);
});

test.each([
  ['51 keys', Object.fromEntries(Array.from({ length: 51 }, (_, index) => [`k${index}`, 'v']))],
  ['a 501-character value', { note: 'x'.repeat(501) }],
  ['a 41-character key', { ['k'.repeat(41)]: 'v' }],
  ['an object value', { nested: { a: 1 } }],
])('metadata with %s is refused', async (_, metadata) => {
  const reply = await book({ eventTypeId: 101, start: startAt(5), metadata });
  expect(reply.status).toBe(400);
  expect(reply.body.error.message).toBe('Metadata must have at most 50 keys, each key up to 40 characters, and string values up to 500 characters.');
});

test('metadata at the limits is stored and returned', async () => {
  const metadata = Object.fromEntries(Array.from({ length: 50 }, (_, index) => [`key-${index}`.padEnd(40, 'x'), 'v'.repeat(500)]));
  const created = await book({ eventTypeId: 101, start: startAt(5), metadata });
  expect(created.status).toBe(201);
  expect((await sandbox.client.v2('GET', `/bookings/${created.body.data.uid}`)).body.data.metadata).toEqual(metadata);
});

test.each([
  ['no attendee', { eventTypeId: 101, start: startAt(6), attendee: undefined }, /attendee/],
  ['a bad time zone', { eventTypeId: 101, start: startAt(6), attendee: attendee('Ann', 'ann@example.com', 'Mars/Base') }, /timeZone/],
  ['a start that is not ISO 8601', { eventTypeId: 101, start: 'tomorrow at ten' }, /ISO 8601/],
  ['no event type', { start: startAt(6) }, /eventTypeId/],
  ['another length', { eventTypeId: 101, start: startAt(6), lengthInMinutes: 45 }, /lengthInMinutes/],
])('a body with %s is a 400 that says why', async (_, body, message) => {
  const reply = await book(body);
  expect(reply.status).toBe(400);
  expect(reply.body.error.message).toMatch(message);
});

test('an unknown event type is a 404', async () => {
  const reply = await book({ eventTypeId: 999, start: startAt(6) });
  expect(reply.status).toBe(404);
  expect(reply.body.error).toEqual({ code: 'NotFoundException', message: 'Event type with id 999 not found.' });
});

test('an unknown uid is a 404 in the error envelope', async () => {
  const reply = await sandbox.client.v2('GET', '/bookings/doesNotExist');
  expect(reply.status).toBe(404);
  expect(reply.body).toMatchObject({
    status: 'error',
    path: '/v2/bookings/doesNotExist',
    error: { code: 'NotFoundException', message: 'Booking with uid=doesNotExist was not found in the database' },
  });
});
