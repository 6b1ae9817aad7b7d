import { CalcomRateLimiter, type RateLimiterClock } from '../src/calcom-rate-limiter.js';

/** Virtual time: sleeping moves the clock forward at once, so minutes of limiting run in milliseconds. */
function virtualClock(): RateLimiterClock & { time: number } {
  const clock = {
    time: 0,
    now: () => clock.time,
    sleep: async (ms: number) => {
      clock.time += ms;
    },
  };
  return clock;
}

async function acquireTimes(limiter: CalcomRateLimiter, clock: { time: number }, count: number): Promise<number[]> {
  const times: number[] = [];
  await Promise.all(Array.from({ length: count }, () => limiter.acquire().then(() => times.push(clock.time))));
  return times;
}

function busiestMinute(times: number[]): number {
  let busiest = 0;
  for (let first = 0; first < times.length; first++) {
    let last = first;
    while (last + 1 < times.length && times[last + 1] < times[first] + 60_000) last++;
    busiest = Math.max(busiest, last - first + 1);
  }
  return busiest;
}

describe('CalcomRateLimiter', () => {
  test('never lets more than the limit through in any 60 seconds, whenever the window starts', async () => {
    const clock = virtualClock();
    const limiter = new CalcomRateLimiter({ requestsPerMinute: 120, clock });
    const times = await acquireTimes(limiter, clock, 600);
    expect(times).toHaveLength(600);
    expect(busiestMinute(times)).toBeLessThanOrEqual(120);
    // ...and still keeps most of the allowance: 600 requests in under six minutes.
    expect(times[599]).toBeLessThan(6 * 60_000);
  });

  test('even a burst as large as the limit leaves room for the refill', async () => {
    const clock = virtualClock();
    const limiter = new CalcomRateLimiter({ requestsPerMinute: 30, burst: 30, clock });
    expect(busiestMinute(await acquireTimes(limiter, clock, 100))).toBeLessThanOrEqual(30);
  });

  test('lets a small burst through at once and then makes callers wait instead of failing', async () => {
    const clock = virtualClock();
    const limiter = new CalcomRateLimiter({ requestsPerMinute: 60, burst: 5, clock });
    const times = await acquireTimes(limiter, clock, 8);
    expect(times.slice(0, 5)).toEqual([0, 0, 0, 0, 0]);
    expect(times[5]).toBeGreaterThan(0);
    expect(times[7]).toBeGreaterThan(times[6]);
  });

  test('a pause from Cal.com holds every caller until the window resets', async () => {
    const clock = virtualClock();
    const limiter = new CalcomRateLimiter({ requestsPerMinute: 120, clock });
    await limiter.acquire();
    limiter.pauseFor(42_000);
    limiter.pauseFor(1_000); // a shorter, later hint never shortens the pause
    const times = await acquireTimes(limiter, clock, 3);
    expect(Math.min(...times)).toBeGreaterThanOrEqual(42_000);
  });

  test('Infinity turns limiting off', async () => {
    const clock = virtualClock();
    const limiter = new CalcomRateLimiter({ requestsPerMinute: Infinity, clock });
    expect(await acquireTimes(limiter, clock, 1000)).toEqual(Array(1000).fill(0));
  });

  test('serves waiting callers in arrival order on the real clock', async () => {
    const limiter = new CalcomRateLimiter({ requestsPerMinute: 6000, burst: 1 });
    const order: number[] = [];
    await Promise.all([1, 2, 3, 4].map((n) => limiter.acquire().then(() => order.push(n))));
    expect(order).toEqual([1, 2, 3, 4]);
  });
});
