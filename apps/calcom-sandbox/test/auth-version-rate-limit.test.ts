import { startSandbox, type RunningSandbox } from '../src/index.js';
import { attendee, sandboxClient, startAt, testClock } from './support/sandbox-client.js';

/** Bearer authentication, the cal-api-version header and Cal.com's per-key throttler, over HTTP. */
let sandbox: RunningSandbox;
let client: ReturnType<typeof sandboxClient>;
const clock = testClock('2030-01-01T08:00:00.000Z');

beforeAll(async () => {
  sandbox = await startSandbox({ now: clock.now, apiKey: 'cal_test_key_123' });
  client = sandboxClient(sandbox);
});
beforeEach(async () => {
  await client.lever('POST', '/reset');
  clock.advance(10 * 60_000);
});
afterAll(() => sandbox.close());

describe('authentication', () => {
  test('no Authorization header is a 401 with Cal.com message', async () => {
    const reply = await client.raw('GET', '/v2/bookings', undefined, { 'cal-api-version': '2024-08-13' });
    expect(reply.status).toBe(401);
    expect(reply.body).toMatchObject({
      status: 'error',
      path: '/v2/bookings',
      error: {
        code: 'UnauthorizedException',
        message: "No authentication method provided. Either pass an API key as 'Bearer' header or OAuth client credentials as 'x-cal-secret-key' and 'x-cal-client-id' headers",
      },
    });
  });

  test('a wrong API key is a 401 and nothing is created', async () => {
    const reply = await client.v2('POST', '/bookings', { eventTypeId: 101, start: startAt(2), attendee: attendee() }, { Authorization: 'Bearer cal_wrong' });
    expect(reply.status).toBe(401);
    expect(reply.body.error.message).toBe('CustomThrottlerGuard - Invalid API Key');
    expect((await client.state()).bookings).toEqual([]);
  });

  test('every /v2 operation needs the key', async () => {
    for (const [method, path] of [
      ['GET', '/v2/me'],
      ['GET', '/v2/event-types'],
      ['POST', '/v2/bookings/x/cancel'],
      ['POST', '/v2/bookings/x/reassign'],
    ]) {
      expect((await client.raw(method, path, undefined, { 'cal-api-version': '2024-08-13' })).status).toBe(401);
    }
  });
});

describe('cal-api-version', () => {
  test.each([
    ['missing', {}, 'no cal-api-version header was sent'],
    ['an older version', { 'cal-api-version': '2024-04-15' }, 'cal-api-version was "2024-04-15"'],
  ])('%s on bookings is a 400 that says why', async (_, versionHeader, said) => {
    const headers = { Authorization: `Bearer ${sandbox.apiKey}`, ...versionHeader };
    const reply = await client.raw('POST', '/v2/bookings', { eventTypeId: 101, start: startAt(2), attendee: attendee() }, headers);
    expect(reply.status).toBe(400);
    expect(reply.body.error.code).toBe('BadRequestException');
    expect(reply.body.error.message).toContain('requires the header cal-api-version: 2024-08-13');
    expect(reply.body.error.message).toContain(said);
    expect(reply.body.error.message).toContain('silently');
    expect((await client.state()).bookings).toEqual([]);
  });

  test('event types need 2024-06-14; /v2/me needs none', async () => {
    expect((await client.v2('GET', '/event-types')).status).toBe(400);
    expect((await client.v2('GET', '/event-types', undefined, { 'cal-api-version': '2024-06-14' })).status).toBe(200);
    expect((await client.raw('GET', '/v2/me', undefined, { Authorization: `Bearer ${sandbox.apiKey}` })).status).toBe(200);
  });
});

describe('rate limit', () => {
  const headersOf = (reply: { headers: Headers }) => ({
    limit: reply.headers.get('X-RateLimit-Limit-Default'),
    remaining: reply.headers.get('X-RateLimit-Remaining-Default'),
    reset: reply.headers.get('X-RateLimit-Reset-Default'),
  });

  test('normal responses carry the rate-limit headers, counting down', async () => {
    expect(headersOf(await client.v2('GET', '/me'))).toEqual({ limit: '120', remaining: '119', reset: '60' });
    clock.advance(15_000);
    expect(headersOf(await client.v2('GET', '/bookings'))).toEqual({ limit: '120', remaining: '118', reset: '45' });
  });

  test('the 121st request within 60 s is a 429, blocked for 60 s, then the budget is back', async () => {
    for (let request = 1; request <= 120; request += 1) expect((await client.v2('GET', '/me')).status).toBe(200);
    const over = await client.v2('GET', '/me');
    expect(over.status).toBe(429);
    expect(over.body.error).toEqual({ code: 'ThrottlerException', message: 'CustomThrottlerGuard - Too many requests. Please try again later.' });
    expect(headersOf(over)).toEqual({ limit: '120', remaining: '0', reset: '60' });
    clock.advance(59_000);
    const stillBlocked = await client.v2('GET', '/me');
    expect(stillBlocked.status).toBe(429);
    expect(headersOf(stillBlocked).reset).toBe('1');
    clock.advance(1_000);
    const free = await client.v2('GET', '/me');
    expect(free.status).toBe(200);
    expect(headersOf(free)).toEqual({ limit: '120', remaining: '119', reset: '60' });
  });

  test('a blocked request changes nothing', async () => {
    await client.lever('PUT', '/faults', { rateLimitPerMinute: 1 });
    await client.v2('GET', '/me');
    const refused = await client.v2('POST', '/bookings', { eventTypeId: 101, start: startAt(2), attendee: attendee() });
    expect(refused.status).toBe(429);
    expect((await client.state()).mutations).toEqual([]);
  });

  test('the limit is per API key: requests without a key do not use its budget', async () => {
    await client.lever('PUT', '/faults', { rateLimitPerMinute: 2 });
    for (let request = 0; request < 5; request += 1) await client.raw('GET', '/v2/me');
    expect(headersOf(await client.v2('GET', '/me')).remaining).toBe('1');
  });
});
