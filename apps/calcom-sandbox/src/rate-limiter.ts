/**
 * Cal.com API v2's CustomThrottlerGuard over @nest-lab/throttler-storage-redis: a fixed window that starts with the
 * first hit and lasts `ttl`; the hit that goes over the limit blocks the tracker for `blockDuration`, after which the
 * count starts again. Headers carry the limit, what is left, and the seconds until the window (or the block) ends.
 */
export interface RateLimitVerdict {
  blocked: boolean;
  headers: Record<string, string>;
}

interface Tracker {
  hits: number;
  windowEndsAt: number;
  blockEndsAt: number;
}

const WINDOW_MS = 60_000;
const BLOCK_MS = 60_000;

export class RateLimiter {
  private readonly trackers = new Map<string, Tracker>();

  constructor(private readonly now: () => Date) {}

  hit(trackerKey: string, limit: number): RateLimitVerdict {
    const now = this.now().getTime();
    let tracker = this.trackers.get(trackerKey);
    if (!tracker || (tracker.windowEndsAt <= now && tracker.blockEndsAt <= now)) {
      tracker = { hits: 0, windowEndsAt: now + WINDOW_MS, blockEndsAt: 0 };
      this.trackers.set(trackerKey, tracker);
    }
    if (tracker.blockEndsAt !== 0 && tracker.blockEndsAt <= now) {
      tracker.hits = 0;
      tracker.blockEndsAt = 0;
      tracker.windowEndsAt = now + WINDOW_MS;
    }
    tracker.hits += 1;
    if (tracker.hits > limit && tracker.blockEndsAt === 0) tracker.blockEndsAt = now + BLOCK_MS;
    const blocked = tracker.blockEndsAt > now;
    const secondsLeft = (until: number) => Math.ceil((until - now) / 1000);
    return {
      blocked,
      headers: {
        'X-RateLimit-Limit-Default': String(limit),
        'X-RateLimit-Remaining-Default': String(blocked ? 0 : Math.max(0, limit - tracker.hits)),
        'X-RateLimit-Reset-Default': String(blocked ? secondsLeft(tracker.blockEndsAt) : secondsLeft(tracker.windowEndsAt)),
      },
    };
  }

  clear(): void {
    this.trackers.clear();
  }
}
