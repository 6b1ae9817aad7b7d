import { startSandbox, type RunningSandbox } from '../src/index.js';
import { DEFAULT_CATALOG, type SandboxCatalog } from '../src/catalog.js';
import { assertValidResponse } from './support/openapi-validator.js';
import { attendee, sandboxClient, testClock } from './support/sandbox-client.js';

/** Working hours, busy blocks, minimum notice and GET /v2/slots (the clock starts Tuesday 2030-01-01 08:00 UTC). */
let sandbox: RunningSandbox;
let client: ReturnType<typeof sandboxClient>;
const clock = testClock('2030-01-01T08:00:00.000Z');
const v904 = { 'cal-api-version': '2024-09-04' };
const weekdays = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday'];

const CATALOG: SandboxCatalog = {
  users: [
    { ...DEFAULT_CATALOG.users[0], workingHours: [{ days: weekdays as never, startTime: '09:00', endTime: '17:00' }] },
    DEFAULT_CATALOG.users[1],
    { ...DEFAULT_CATALOG.users[2], workingHours: [{ days: ['Wednesday'] as never, startTime: '09:00', endTime: '12:00' }] },
  ],
  eventTypes: [
    { id: 101, slug: 'consultation-30', title: 'Consultation', lengthInMinutes: 30, ownerId: 1, schedulingType: null, minimumBookingNoticeMinutes: 120 },
    { id: 105, slug: 'hugo-60', title: 'Hugo', lengthInMinutes: 60, ownerId: 2, schedulingType: null },
    { id: 106, slug: 'rita-60', title: 'Rita', lengthInMinutes: 60, ownerId: 3, schedulingType: null },
  ],
};

beforeAll(async () => {
  sandbox = await startSandbox({ now: clock.now, catalog: CATALOG });
  client = sandboxClient(sandbox);
});
beforeEach(() => client.lever('POST', '/reset'));
afterAll(() => sandbox.close());

const book = (eventTypeId: number, start: string) => client.v2('POST', '/bookings', { eventTypeId, start, attendee: attendee() });
const UNAVAILABLE = 'User either already has booking at this time or is not available';

test('a start outside working hours (evening, weekend, running past the end) is refused and stores nothing', async () => {
  for (const start of ['2030-01-02T20:00:00Z', '2030-01-05T10:00:00Z', '2030-01-02T16:45:00Z', '2030-01-02T08:59:00Z']) {
    const reply = await book(101, start);
    expect([start, reply.status, reply.body.error?.message]).toEqual([start, 400, UNAVAILABLE]);
  }
  expect((await client.state()).mutations).toEqual([]);
  expect((await book(101, '2030-01-02T16:30:00Z')).status).toBe(201);
  expect((await book(101, '2030-01-02T09:00:00Z')).status).toBe(201);
});

test("working hours are the host's local time: Rita (New York) works Wednesday 09:00-12:00 EST, 14:00-17:00 UTC", async () => {
  expect((await book(106, '2030-01-02T09:00:00Z')).status).toBe(400);
  expect((await book(106, '2030-01-02T14:00:00Z')).status).toBe(201);
  expect((await book(106, '2030-01-02T16:30:00Z')).status).toBe(400);
});

test('a busy block refuses create and reschedule onto it; clearing it lets them through; hosts without hours stay 24/7', async () => {
  const blocks = [{ userId: 1, start: '2030-01-03T10:00:00Z', end: '2030-01-03T11:00:00Z' }];
  expect((await client.lever('PUT', '/busy', blocks)).body).toEqual([{ userId: 1, start: '2030-01-03T10:00:00.000Z', end: '2030-01-03T11:00:00.000Z' }]);
  expect((await book(101, '2030-01-03T10:30:00Z')).status).toBe(400);
  expect((await book(101, '2030-01-03T09:45:00Z')).status).toBe(400);
  const booked = await book(101, '2030-01-03T11:00:00Z');
  expect(booked.status).toBe(201);
  const moved = await client.v2('POST', `/bookings/${booked.body.data.uid}/reschedule`, { start: '2030-01-03T10:15:00Z' });
  expect(moved.status).toBe(400);
  expect((await client.v2('GET', `/bookings/${booked.body.data.uid}`)).body.data).toMatchObject({ status: 'accepted', start: '2030-01-03T11:00:00.000Z' });
  await client.lever('PUT', '/busy', []);
  expect((await client.v2('POST', `/bookings/${booked.body.data.uid}/reschedule`, { start: '2030-01-03T10:15:00Z' })).status).toBe(201);
  expect((await book(105, '2030-01-05T03:00:00Z')).status).toBe(201);
});

test('minimum notice refuses a start sooner than it, for every host', async () => {
  expect((await book(101, '2030-01-01T09:30:00Z')).status).toBe(400);
  expect((await book(101, '2030-01-01T10:00:00Z')).status).toBe(201);
});

test('the busy lever refuses hostile blocks', async () => {
  const bad = [
    {},
    [{ userId: 9, start: '2030-01-03T10:00:00Z', end: '2030-01-03T11:00:00Z' }],
    [{ userId: 1, start: '2030-01-03T11:00:00Z', end: '2030-01-03T10:00:00Z' }],
    [{ userId: 1, start: 'yesterday\u0000', end: '2030-01-03T10:00:00Z' }],
    [{ userId: '1', start: '2030-01-03T10:00:00Z', end: '2030-01-03T11:00:00Z' }],
    [null],
  ];
  for (const body of bad) expect((await client.lever('PUT', '/busy', body)).status).toBe(400);
  expect((await client.lever('GET', '/busy')).body).toEqual([]);
});

test('GET /v2/slots lists the starts a booking would get, per date, in the asked time zone, and matches the schema', async () => {
  await client.lever('PUT', '/busy', [{ userId: 1, start: '2030-01-03T10:00:00Z', end: '2030-01-03T11:10:00Z' }]);
  await book(101, '2030-01-03T14:00:00Z');
  const reply = await client.v2('GET', '/slots?eventTypeId=101&start=2030-01-01&end=2030-01-05', undefined, v904);
  expect(reply.status).toBe(200);
  assertValidResponse('GET', '/v2/slots', 200, reply.body);
  const days = reply.body.data as Record<string, { start: string }[]>;
  expect(Object.keys(days)).toEqual(['2030-01-01', '2030-01-02', '2030-01-03', '2030-01-04']);
  expect(days['2030-01-01'][0].start).toBe('2030-01-01T10:00:00.000+00:00');
  expect(days['2030-01-02']).toHaveLength(16);
  const jan3 = days['2030-01-03'].map((slot) => slot.start.slice(11, 16));
  expect(jan3).toEqual(['09:00', '09:30', '11:30', '12:00', '12:30', '13:00', '13:30', '14:30', '15:00', '15:30', '16:00', '16:30']);

  const berlin = await client.v2('GET', '/slots?eventTypeId=101&start=2030-01-02T09:00:00Z&end=2030-01-02T10:00:00Z&timeZone=Europe/Berlin&format=range', undefined, v904);
  assertValidResponse('GET', '/v2/slots', 200, berlin.body);
  expect(berlin.body.data).toEqual({
    '2030-01-02': [
      { start: '2030-01-02T10:00:00.000+01:00', end: '2030-01-02T10:30:00.000+01:00' },
      { start: '2030-01-02T10:30:00.000+01:00', end: '2030-01-02T11:00:00.000+01:00' },
    ],
  });
});

test("GET /v2/slots: bookingUidToReschedule frees that booking's time; a round-the-clock host has slots at night", async () => {
  const booked = await book(101, '2030-01-02T12:00:00Z');
  const around = '/slots?eventTypeId=101&start=2030-01-02T12:00:00Z&end=2030-01-02T12:30:00Z';
  expect((await client.v2('GET', around, undefined, v904)).body.data).toEqual({});
  const freed = await client.v2('GET', `${around}&bookingUidToReschedule=${booked.body.data.uid}`, undefined, v904);
  expect(freed.body.data).toEqual({ '2030-01-02': [{ start: '2030-01-02T12:00:00.000+00:00' }] });
  const night = await client.v2('GET', '/slots?eventTypeId=105&start=2030-01-05T02:00:00Z&end=2030-01-05T04:00:00Z', undefined, v904);
  expect(night.body.data['2030-01-05'].map((slot: { start: string }) => slot.start)).toEqual(['2030-01-05T02:00:00.000+00:00', '2030-01-05T03:00:00.000+00:00']);
});

test('GET /v2/slots refuses a wrong version, a missing or unknown event type, and bad ranges', async () => {
  expect((await client.v2('GET', '/slots?eventTypeId=101&start=2030-01-01&end=2030-01-02')).status).toBe(400);
  const cases: [string, number][] = [
    ['start=2030-01-01&end=2030-01-02', 400],
    ['eventTypeId=999&start=2030-01-01&end=2030-01-02', 404],
    ['eventTypeId=101&start=tomorrow&end=2030-01-02', 400],
    ['eventTypeId=101&start=2030-01-03&end=2030-01-02', 400],
    ['eventTypeId=101&start=2030-01-01&end=2031-01-01', 400],
    ['eventTypeId=101&start=2030-01-01&end=2030-01-02&timeZone=Mars%2FBase', 400],
    ['eventTypeId=101&start=2030-01-01&end=2030-01-02&format=__proto__', 400],
  ];
  for (const [query, status] of cases) expect([query, (await client.v2('GET', `/slots?${query}`, undefined, v904)).status]).toEqual([query, status]);
});
