export interface RetryBackoffSettings {
  /** The first wait; each further attempt doubles it. */
  initialDelayMs: number;
  maxDelayMs: number;
}

/**
 * How long to wait before attempt `attempt + 1`: exponential, with "equal jitter" (half fixed, half random) so that
 * appointments failing together do not all come back together, and never before Cal.com's rate-limit reset.
 * `random` is in [0, 1), passed in so the rule stays testable.
 */
export function retryDelayMs(attempt: number, settings: RetryBackoffSettings, random: number, retryAfterMs?: number): number {
  const exponential = Math.min(settings.maxDelayMs, settings.initialDelayMs * 2 ** Math.min(Math.max(attempt - 1, 0), 30));
  const jittered = Math.round(exponential / 2 + (random * exponential) / 2);
  if (retryAfterMs === undefined) return jittered;
  // A few milliseconds past the reset, spread a little, so the waiting calls do not spend the new window at once.
  return Math.max(jittered, retryAfterMs + Math.round(random * 250));
}
