import { startSandbox, type RunningSandbox } from '#calcom-sandbox';
import { CalcomClient, CalcomRateLimiter, type RateLimiterClock } from '../src/index.js';
import { sandboxLevers } from './support/sandbox-levers.js';

/**
 * The sandbox and the limiter share one virtual clock: when the limiter waits, time jumps, so minutes of Cal.com's
 * 60-second windows pass in milliseconds while every request still goes over real HTTP to the sandbox's throttler.
 * Calls are sequential so that each one reaches the sandbox at the virtual time the limiter let it go.
 */
const clock: RateLimiterClock & { time: number } = {
  time: Date.now(),
  now: () => clock.time,
  sleep: async (ms: number) => {
    clock.time += ms;
  },
};

let sandbox: RunningSandbox;
let levers: ReturnType<typeof sandboxLevers>;
const clients: CalcomClient[] = [];

beforeAll(async () => {
  sandbox = await startSandbox({ port: 0, now: () => new Date(clock.time) });
  levers = sandboxLevers(sandbox.url);
});

beforeEach(() => levers.reset());

afterAll(async () => {
  for (const client of clients) client.close();
  await sandbox.close();
});

function clientLimitedTo(requestsPerMinute: number): CalcomClient {
  const client = new CalcomClient({ apiUrl: sandbox.url, apiKey: sandbox.apiKey, rateLimiter: new CalcomRateLimiter({ requestsPerMinute, clock }) });
  clients.push(client);
  return client;
}

async function outcomes(client: CalcomClient, calls: number): Promise<string[]> {
  const seen: string[] = [];
  for (let call = 0; call < calls; call++) {
    seen.push(
      await client.me().then(
        () => 'ok',
        (error: { code?: string }) => error.code ?? 'unknown',
      ),
    );
  }
  return seen;
}

test('without client-side limiting, a burst over the limit earns 429s (the check below can fail)', async () => {
  await levers.setFaults({ rateLimitPerMinute: 30 });
  const seen = await outcomes(clientLimitedTo(Infinity), 40);
  expect(seen.filter((outcome) => outcome === 'CALCOM_RATE_LIMITED').length).toBeGreaterThan(0);
});

test('a limiter set to the key limit keeps 200 calls under the sandbox throttler: waits, never 429', async () => {
  await levers.setFaults({ rateLimitPerMinute: 30 });
  const startedAt = clock.time;
  const seen = await outcomes(clientLimitedTo(30), 200);
  expect(seen.filter((outcome) => outcome !== 'ok')).toEqual([]);
  // 200 calls at 30 a minute cannot take less than six minutes of (virtual) time.
  expect(clock.time - startedAt).toBeGreaterThanOrEqual(6 * 60_000);
});

test('a limiter set too high still avoids 429s by heeding Remaining/Reset from Cal.com', async () => {
  await levers.setFaults({ rateLimitPerMinute: 5 });
  const startedAt = clock.time;
  const seen = await outcomes(clientLimitedTo(6000), 12);
  expect(seen.filter((outcome) => outcome !== 'ok')).toEqual([]);
  expect(clock.time - startedAt).toBeGreaterThanOrEqual(2 * 60_000);
});

test('after a 429 the limiter holds the next call until the block Cal.com announced is over', async () => {
  await levers.setFaults({ rateLimitPerMinute: 2 });
  const client = clientLimitedTo(6000);
  // Another process spends the key's window behind our back.
  for (let call = 0; call < 3; call++) await fetch(`${sandbox.url}/v2/me`, { headers: { authorization: `Bearer ${sandbox.apiKey}` } });
  const blockedAt = clock.time;
  expect(await outcomes(client, 1)).toEqual(['CALCOM_RATE_LIMITED']);
  expect(await outcomes(client, 1)).toEqual(['ok']);
  expect(clock.time - blockedAt).toBeGreaterThanOrEqual(60_000);
});
