import { setTimeout as sleep } from 'node:timers/promises';

export interface RateLimiterClock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

export interface CalcomRateLimiterOptions {
  /** Cal.com's limit for one API key; default 120. `Infinity` turns limiting off. */
  requestsPerMinute?: number;
  /** Requests allowed back to back; default a twelfth of the limit. */
  burst?: number;
  clock?: RateLimiterClock;
}

const MINUTE_MS = 60_000;
const realClock: RateLimiterClock = { now: () => performance.now(), sleep: (ms) => sleep(ms) };

/**
 * A token bucket for one Cal.com API key: callers wait for a token instead of failing.
 *
 * Cal.com counts requests in 60-second windows, so the refill rate is `(limit - burst) / minute`: burst plus refill then
 * stays at or under the limit in any 60 seconds, whenever Cal.com's window starts. When Cal.com says the window resets
 * later than we thought (a 429, or a response with nothing remaining), `pauseFor` holds every caller until then.
 * Share one instance between all clients that use the same key.
 */
export class CalcomRateLimiter {
  readonly requestsPerMinute: number;
  private readonly capacity: number;
  private readonly tokensPerMs: number;
  private readonly clock: RateLimiterClock;
  private tokens: number;
  private refilledAt: number;
  private pausedUntil = 0;
  /** Callers are served in arrival order: each waits for the one before it. */
  private queue: Promise<void> = Promise.resolve();

  constructor(options: CalcomRateLimiterOptions = {}) {
    this.requestsPerMinute = options.requestsPerMinute ?? 120;
    if (!(this.requestsPerMinute > 0)) throw new RangeError('requestsPerMinute must be positive');
    this.clock = options.clock ?? realClock;
    const limit = this.requestsPerMinute;
    // Leave at least one request a minute to the refill, or a full burst would spend the whole window.
    this.capacity = Number.isFinite(limit) ? clamp(options.burst ?? Math.floor(limit / 12), 1, Math.max(1, limit - 1)) : Infinity;
    this.tokensPerMs = Number.isFinite(limit) ? Math.max(limit - this.capacity, 1) / MINUTE_MS : Infinity;
    this.tokens = this.capacity;
    this.refilledAt = this.clock.now();
  }

  /** Resolves when a request may be sent. */
  acquire(): Promise<void> {
    if (!Number.isFinite(this.requestsPerMinute)) return Promise.resolve();
    const turn = this.queue.then(() => this.takeToken());
    this.queue = turn;
    return turn;
  }

  /** Cal.com said its window resets in `ms`: send nothing before then. Never shortens an existing pause. */
  pauseFor(ms: number): void {
    if (!(ms > 0)) return;
    this.pausedUntil = Math.max(this.pausedUntil, this.clock.now() + ms);
  }

  /** How long Cal.com's last word holds every caller still (0: not paused), for callers that would rather not wait. */
  pausedForMs(): number {
    return Math.max(0, this.pausedUntil - this.clock.now());
  }

  private async takeToken(): Promise<void> {
    for (;;) {
      const now = this.clock.now();
      if (now < this.pausedUntil) {
        await this.clock.sleep(this.pausedUntil - now);
        continue;
      }
      this.refill(now);
      if (this.tokens >= 1) {
        this.tokens -= 1;
        return;
      }
      await this.clock.sleep(Math.ceil((1 - this.tokens) / this.tokensPerMs));
    }
  }

  private refill(now: number): void {
    this.tokens = Math.min(this.capacity, this.tokens + (now - this.refilledAt) * this.tokensPerMs);
    this.refilledAt = now;
  }
}

function clamp(value: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, value));
}
