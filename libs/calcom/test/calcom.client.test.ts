import { startSandbox, type RunningSandbox } from '#calcom-sandbox';
import { CalcomClient, CalcomError, type CreateCalcomBooking } from '../src/index.js';
import { rejectionOf, sandboxLevers, slot } from './support/sandbox-levers.js';

let sandbox: RunningSandbox;
let client: CalcomClient;
let levers: ReturnType<typeof sandboxLevers>;

beforeAll(async () => {
  sandbox = await startSandbox({ port: 0 });
  levers = sandboxLevers(sandbox.url);
  // Client-side limiting has its own tests; here it must not slow the round trips down.
  client = new CalcomClient({ apiUrl: sandbox.url, apiKey: sandbox.apiKey, rateLimitPerMinute: Infinity, timeoutMs: 2_000 });
});

beforeEach(async () => {
  await levers.reset();
  await levers.setFaults({ rateLimitPerMinute: 100_000 });
});

afterAll(async () => {
  client.close();
  await sandbox.close();
});

function booking(index: number, overrides: Partial<CreateCalcomBooking> = {}): CreateCalcomBooking {
  return {
    start: slot(index),
    eventTypeId: 101,
    attendee: { name: `Ada ${index}`, email: `ada${index}@example.com`, timeZone: 'Europe/Berlin' },
    metadata: { appointmentId: `appointment-${index}` },
    ...overrides,
  };
}

describe('CalcomClient operations round-trip against the sandbox', () => {
  test('me() and listEventTypes() answer with the key owner and the catalog', async () => {
    expect(await client.me()).toMatchObject({ id: 1, username: 'olivia', email: 'olivia@sandbox.example' });
    const eventTypes = await client.listEventTypes();
    expect(eventTypes.map(({ id, slug, lengthInMinutes }) => ({ id, slug, lengthInMinutes }))).toEqual([
      { id: 101, slug: 'consultation-30', lengthInMinutes: 30 },
      { id: 102, slug: 'assessment-60', lengthInMinutes: 60 },
      { id: 103, slug: 'team-session-45', lengthInMinutes: 45 },
    ]);
  });

  test('createBooking creates exactly one booking, sent in UTC, with our metadata; getBooking reads it back', async () => {
    const input = booking(1, {
      start: slot(1).replace('Z', '+00:00'),
      attendee: { name: 'Ada', email: 'ada@example.com', timeZone: 'Europe/Berlin', phoneNumber: '+4915112345678' },
    });
    const created = await client.createBooking(input);
    expect(created).toMatchObject({
      status: 'accepted',
      start: slot(1),
      duration: 30,
      eventTypeId: 101,
      eventType: { id: 101, slug: 'consultation-30' },
      hosts: [{ id: 1, username: 'olivia' }],
      attendees: [{ name: 'Ada', email: 'ada@example.com', timeZone: 'Europe/Berlin', phoneNumber: '+4915112345678' }],
      metadata: { appointmentId: 'appointment-1' },
    });
    expect(Date.parse(created.end) - Date.parse(created.start)).toBe(30 * 60_000);
    expect(await client.getBooking(created.uid)).toEqual(created);
    expect(await levers.mutations()).toMatchObject([{ op: 'create', uid: created.uid, via: 'api' }]);
  });

  test('rescheduleBooking returns the NEW booking; the old uid is cancelled and points to it', async () => {
    const original = await client.createBooking(booking(2));
    const moved = await client.rescheduleBooking(original.uid, { start: slot(5), reschedulingReason: 'customer asked' });
    expect(moved.uid).not.toBe(original.uid);
    expect(moved).toMatchObject({ status: 'accepted', start: slot(5), rescheduledFromUid: original.uid, metadata: { appointmentId: 'appointment-2' } });
    expect(await client.getBooking(original.uid)).toMatchObject({ status: 'cancelled', rescheduledToUid: moved.uid });
    expect(await levers.mutations()).toMatchObject([{ op: 'create' }, { op: 'reschedule', uid: moved.uid, rescheduledFromUid: original.uid }]);

    const again = await rejectionOf(client.rescheduleBooking(original.uid, { start: slot(7) }));
    expect(again).toMatchObject({ code: 'CALCOM_REJECTED', kind: 'permanent', status: 400 });
    expect((again as CalcomError).message).toContain(`You probably want to reschedule ${moved.uid} instead`);
  });

  test('cancelBooking cancels once; a second cancel is refused with Cal.com words', async () => {
    const created = await client.createBooking(booking(3));
    const cancelled = await client.cancelBooking(created.uid, { cancellationReason: 'customer is ill' });
    expect(cancelled).toMatchObject({ uid: created.uid, status: 'cancelled', cancellationReason: 'customer is ill' });
    expect((await client.getBooking(created.uid)).status).toBe('cancelled');

    const twice = await rejectionOf(client.cancelBooking(created.uid, { cancellationReason: 'again' }));
    expect(twice).toMatchObject({
      code: 'CALCOM_REJECTED',
      kind: 'permanent',
      calcomCode: 'BadRequestException',
      message: `Can't cancel booking with uid=${created.uid} because it has been cancelled already. Please provide uid of a booking that is not cancelled.`,
    });
    expect((await levers.mutations()).filter((mutation) => mutation.op === 'cancel')).toHaveLength(1);
  });

  test('reassignBookingTo and reassignBooking move a round-robin booking in place (same uid)', async () => {
    const created = await client.createBooking(booking(4, { eventTypeId: 103 }));
    const firstHost = created.hosts[0].id;
    const otherHost = firstHost === 2 ? 3 : 2;

    expect(await client.reassignBookingTo(created.uid, otherHost, { reason: 'sick day' })).toEqual({
      bookingUid: created.uid,
      reassignedTo: expect.objectContaining({ id: otherHost }),
    });
    expect((await client.getBooking(created.uid)).hosts[0].id).toBe(otherHost);

    expect(await client.reassignBooking(created.uid)).toMatchObject({ bookingUid: created.uid, reassignedTo: { id: firstHost } });
    expect((await client.getBooking(created.uid)).hosts[0].id).toBe(firstHost);

    const notRoundRobin = await client.createBooking(booking(6));
    expect(await rejectionOf(client.reassignBookingTo(notRoundRobin.uid, 2))).toMatchObject({ code: 'CALCOM_REJECTED', status: 400 });
  });

  test('listBookings filters by attendee, event type and status, and reports pagination', async () => {
    const a = await client.createBooking(booking(10));
    const b = await client.createBooking(booking(11, { eventTypeId: 102 }));
    const c = await client.createBooking(booking(13));
    await client.cancelBooking(c.uid, { cancellationReason: 'no longer needed' });

    const byAttendee = await client.listBookings({ attendeeEmail: 'ada10@example.com' });
    expect(byAttendee.bookings.map((found) => found.uid)).toEqual([a.uid]);
    expect(byAttendee.pagination).toMatchObject({ totalItems: 1, returnedItems: 1, hasNextPage: false });
    expect((await client.listBookings({ eventTypeIds: [102] })).bookings.map((found) => found.uid)).toEqual([b.uid]);
    expect((await client.listBookings({ status: ['cancelled'] })).bookings.map((found) => found.uid)).toEqual([c.uid]);
    const upcoming = await client.listBookings({ status: ['upcoming'], sortStart: 'desc', afterStart: slot(0) });
    expect(upcoming.bookings.map((found) => found.uid)).toEqual([b.uid, a.uid]);
  });

  test('the page iterators walk every page once, in order', async () => {
    const created = [];
    for (let index = 20; index < 27; index++) created.push((await client.createBooking(booking(index))).uid);

    const pages = [];
    for await (const page of client.iterateBookingPages({ take: 3, sortStart: 'asc' })) pages.push(page);
    expect(pages.map((page) => page.bookings.length)).toEqual([3, 3, 1]);
    expect(pages.map((page) => page.pagination.currentPage)).toEqual([1, 2, 3]);

    const walked = [];
    for await (const found of client.iterateBookings({ take: 2, sortUpdatedAt: 'asc' })) walked.push(found.uid);
    expect(walked).toEqual(created);
  });
});

describe('CalcomClient classifies what goes wrong', () => {
  test('a wrong API key is permanent CALCOM_UNAUTHORIZED', async () => {
    const stranger = new CalcomClient({ apiUrl: sandbox.url, apiKey: 'cal_not_our_key', rateLimitPerMinute: Infinity });
    const error = await rejectionOf(stranger.me());
    stranger.close();
    expect(error).toBeInstanceOf(CalcomError);
    expect(error).toMatchObject({ code: 'CALCOM_UNAUTHORIZED', kind: 'permanent', status: 401, message: 'CustomThrottlerGuard - Invalid API Key', operation: 'me' });
  });

  test("a 400 keeps Cal.com's message verbatim", async () => {
    const error = await rejectionOf(client.createBooking(booking(1, { start: '2020-01-01T10:00:00Z' })));
    expect(error).toMatchObject({
      code: 'CALCOM_REJECTED',
      kind: 'permanent',
      status: 400,
      calcomCode: 'BadRequestException',
      message: 'Attempting to book a meeting in the past.',
      outcomeUnknown: false,
    });
  });

  test('an unknown uid is permanent CALCOM_NOT_FOUND', async () => {
    const error = await rejectionOf(client.getBooking('no-such-uid'));
    expect(error).toMatchObject({ code: 'CALCOM_NOT_FOUND', kind: 'permanent', status: 404, message: 'Booking with uid=no-such-uid was not found in the database' });
  });

  test('a 429 is retryable, with retryAfterMs from X-RateLimit-Reset-Default', async () => {
    await levers.setFaults({ rateLimitPerMinute: 3 });
    for (let call = 0; call < 3; call++) await client.me();
    const error = await rejectionOf(client.me());
    expect(error).toMatchObject({ code: 'CALCOM_RATE_LIMITED', kind: 'retryable', status: 429, calcomCode: 'ThrottlerException', outcomeUnknown: false });
    // The sandbox blocks for 60 s and says so in whole seconds.
    expect((error as CalcomError).retryAfterMs).toBeGreaterThanOrEqual(59_000);
    expect((error as CalcomError).retryAfterMs).toBeLessThanOrEqual(60_000);
  });

  test('a 500 from the apiErrorRate fault is retryable CALCOM_SERVER_ERROR, sent once only', async () => {
    await levers.setFaults({ apiErrorRate: 1, rateLimitPerMinute: 1000 });
    const error = await rejectionOf(client.getBooking('any-uid'));
    expect(error).toMatchObject({ code: 'CALCOM_SERVER_ERROR', kind: 'retryable', status: 500, message: 'Internal server error.' });
    // The rate limiter counted every request that reached the sandbox: one failed GET, then this probe.
    const probe = await fetch(`${sandbox.url}/v2/me`, { headers: { authorization: `Bearer ${sandbox.apiKey}` } });
    expect(probe.headers.get('x-ratelimit-remaining-default')).toBe('998');
  });

  test('a timeout is retryable and flagged outcomeUnknown; the booking did happen, once, and can be found by metadata', async () => {
    await levers.setFaults({ apiTimeoutRate: 1, apiTimeoutHangMs: 10_000, rateLimitPerMinute: 1000 });
    const impatient = new CalcomClient({ apiUrl: sandbox.url, apiKey: sandbox.apiKey, rateLimitPerMinute: Infinity, timeoutMs: 300 });
    const error = await rejectionOf(impatient.createBooking(booking(30, { metadata: { appointmentId: 'lost-response' } })));
    impatient.close();
    expect(error).toMatchObject({ code: 'CALCOM_TIMEOUT', kind: 'retryable', outcomeUnknown: true, operation: 'createBooking' });

    await levers.setFaults({ rateLimitPerMinute: 1000 });
    expect((await levers.mutations()).filter((mutation) => mutation.op === 'create')).toHaveLength(1);
    const found = [];
    for await (const candidate of client.iterateBookings({ attendeeEmail: 'ada30@example.com' })) {
      if (candidate.metadata?.appointmentId === 'lost-response') found.push(candidate);
    }
    expect(found).toHaveLength(1);
  });

  test('a connection dropped without an answer is retryable CALCOM_NETWORK with outcomeUnknown, never repeated', async () => {
    await levers.setFaults({ apiTimeoutRate: 1, apiTimeoutHangMs: 0, rateLimitPerMinute: 1000 });
    const error = await rejectionOf(client.cancelBooking('whatever', { cancellationReason: 'x' }));
    expect(error).toMatchObject({ code: 'CALCOM_NETWORK', kind: 'retryable', outcomeUnknown: true });

    const create = await rejectionOf(client.createBooking(booking(31)));
    expect(create).toMatchObject({ code: 'CALCOM_NETWORK', outcomeUnknown: true });
    expect((await levers.mutations()).filter((mutation) => mutation.op === 'create')).toHaveLength(1);
  });

  test('the logger hears each call and each failure, never the API key', async () => {
    const lines: Array<{ level: string; message: string; fields?: Record<string, unknown> }> = [];
    const logger = {
      debug: (message: string, fields?: Record<string, unknown>) => lines.push({ level: 'debug', message, fields }),
      warn: (message: string, fields?: Record<string, unknown>) => lines.push({ level: 'warn', message, fields }),
    };
    const logged = new CalcomClient({ apiUrl: sandbox.url, apiKey: sandbox.apiKey, rateLimitPerMinute: Infinity, logger });
    await logged.me();
    await rejectionOf(logged.getBooking('missing'));
    logged.close();
    expect(lines).toMatchObject([
      { level: 'debug', fields: { operation: 'me', method: 'GET', path: '/v2/me', status: 200 } },
      { level: 'warn', fields: { operation: 'getBooking', code: 'CALCOM_NOT_FOUND', status: 404 } },
    ]);
    expect(JSON.stringify(lines)).not.toContain(sandbox.apiKey);
  });

  test('a refused connection is retryable and certainly had no effect', async () => {
    const nowhere = new CalcomClient({ apiUrl: 'http://127.0.0.1:1', apiKey: 'cal_x', rateLimitPerMinute: Infinity });
    const error = await rejectionOf(nowhere.me());
    nowhere.close();
    expect(error).toMatchObject({ code: 'CALCOM_NETWORK', kind: 'retryable', outcomeUnknown: false });
  });
});
