/**
 * Reads when Cal.com's rate-limit window resets. Cal.com sends `X-RateLimit-Reset-{Name}` (Name is `Default` unless a
 * custom limit is named) and no Retry-After. Its own tests treat the value as seconds remaining; one third-party page
 * calls it a Unix timestamp, so a value that can only be an epoch is read as one.
 */
type HeaderValue = string | string[] | undefined;

const EPOCH_SECONDS_FLOOR = 1_000_000_000; // 2001-09-09: no window lasts that many seconds
const EPOCH_MILLISECONDS_FLOOR = 1_000_000_000_000;

export function rateLimitResetMs(headers: Record<string, HeaderValue>, nowMs = Date.now()): number | undefined {
  const raw = rateLimitHeader(headers, 'reset');
  if (raw === undefined) return undefined;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < 0) return undefined;
  if (value >= EPOCH_MILLISECONDS_FLOOR) return Math.max(0, value - nowMs);
  if (value >= EPOCH_SECONDS_FLOOR) return Math.max(0, value * 1000 - nowMs);
  return Math.ceil(value * 1000);
}

export function rateLimitRemaining(headers: Record<string, HeaderValue>): number | undefined {
  const raw = rateLimitHeader(headers, 'remaining');
  if (raw === undefined) return undefined;
  const value = Number(raw);
  return Number.isFinite(value) ? value : undefined;
}

/** Prefers the `-Default` header, then any named one, then the unsuffixed v1-style header. */
function rateLimitHeader(headers: Record<string, HeaderValue>, field: 'reset' | 'remaining'): string | undefined {
  const prefix = `x-ratelimit-${field}`;
  const names = Object.keys(headers).filter((name) => name.toLowerCase().startsWith(prefix));
  const chosen =
    names.find((name) => name.toLowerCase() === `${prefix}-default`) ??
    names.find((name) => name.toLowerCase().startsWith(`${prefix}-`)) ??
    names.find((name) => name.toLowerCase() === prefix);
  if (chosen === undefined) return undefined;
  const value = headers[chosen];
  return Array.isArray(value) ? value[0] : value;
}
