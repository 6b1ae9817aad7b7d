import { retryDelayMs } from '../../src/calcom-sync/retry-backoff.js';

const settings = { initialDelayMs: 500, maxDelayMs: 60_000 };

describe('retry backoff', () => {
  it('doubles per attempt, with half of each wait left to chance', () => {
    expect([1, 2, 3, 4].map((attempt) => retryDelayMs(attempt, settings, 0))).toEqual([250, 500, 1_000, 2_000]);
    expect([1, 2, 3, 4].map((attempt) => retryDelayMs(attempt, settings, 0.999))).toEqual([500, 1_000, 1_999, 3_998]);
  });

  it('never waits longer than the maximum', () => {
    expect(retryDelayMs(30, settings, 0.999)).toBeLessThanOrEqual(60_000);
    expect(retryDelayMs(1_000, settings, 0)).toBe(30_000);
  });

  it('never comes back before Cal.com’s rate-limit window resets', () => {
    expect(retryDelayMs(1, settings, 0, 42_000)).toBe(42_000);
    expect(retryDelayMs(1, settings, 0.5, 42_000)).toBe(42_125);
    expect(retryDelayMs(10, settings, 0, 1_000)).toBe(30_000);
  });
});
