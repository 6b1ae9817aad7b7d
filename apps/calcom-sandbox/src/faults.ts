import { badRequest } from './sandbox-error.js';

/**
 * Faults the test sets with PUT /_sandbox/faults. Rates are probabilities in [0, 1] drawn from a generator seeded with
 * `seed`, one stream for the API and one for webhooks, so a test that sets a seed sees the same faults on every run.
 */
export interface SandboxFaults {
  /** Answer 500 without doing anything. */
  apiErrorRate: number;
  /** Do the work (and send its webhooks), then drop the connection without answering. */
  apiTimeoutRate: number;
  /** How long a timed-out request hangs before its socket is destroyed. */
  apiTimeoutHangMs: number;
  /** Added before every /v2 request is handled. */
  apiLatencyMs: number;
  /** Requests per 60 s per API key (Cal.com's default for API keys is 120). */
  rateLimitPerMinute: number;
  webhookDropRate: number;
  webhookDuplicateRate: number;
  /** Webhooks go out this long after the change, detached from the request that caused it. */
  webhookDelayMs: number;
  /** Each webhook is held back and sent right after the next one (or after 1 s if none comes). */
  webhookReorder: boolean;
  seed: number;
}

export const NO_FAULTS: SandboxFaults = {
  apiErrorRate: 0,
  apiTimeoutRate: 0,
  apiTimeoutHangMs: 0,
  apiLatencyMs: 0,
  rateLimitPerMinute: 120,
  webhookDropRate: 0,
  webhookDuplicateRate: 0,
  webhookDelayMs: 0,
  webhookReorder: false,
  seed: 1,
};

const RATES = ['apiErrorRate', 'apiTimeoutRate', 'webhookDropRate', 'webhookDuplicateRate'] as const;
const DURATIONS = ['apiTimeoutHangMs', 'apiLatencyMs', 'webhookDelayMs'] as const;

/** A PUT replaces the whole set: knobs left out go back to "no fault". */
export function parseFaults(input: unknown): SandboxFaults {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) throw badRequest('faults must be an object');
  const given = input as Record<string, unknown>;
  const unknown = Object.keys(given).filter((key) => !(key in NO_FAULTS));
  if (unknown.length) throw badRequest(`unknown fault knob(s): ${unknown.join(', ')}`);
  const faults = { ...NO_FAULTS, ...given } as SandboxFaults;
  for (const rate of RATES) {
    if (typeof faults[rate] !== 'number' || !(faults[rate] >= 0 && faults[rate] <= 1)) throw badRequest(`${rate} must be a number in [0, 1]`);
  }
  for (const duration of DURATIONS) {
    if (!isNonNegativeInteger(faults[duration])) throw badRequest(`${duration} must be a non-negative integer`);
  }
  if (!isNonNegativeInteger(faults.rateLimitPerMinute) || faults.rateLimitPerMinute < 1) {
    throw badRequest('rateLimitPerMinute must be a positive integer');
  }
  if (typeof faults.webhookReorder !== 'boolean') throw badRequest('webhookReorder must be a boolean');
  if (!Number.isInteger(faults.seed)) throw badRequest('seed must be an integer');
  return faults;
}

/** mulberry32: small, fast, and the same sequence for the same seed on every platform. */
export class SeededRandom {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** True with the given probability; always draws, so the sequence does not depend on the rates. */
  chance(probability: number): boolean {
    return this.next() < probability;
  }
}

export class FaultSettings {
  current: SandboxFaults = NO_FAULTS;
  apiRandom = new SeededRandom(NO_FAULTS.seed);
  webhookRandom = new SeededRandom(NO_FAULTS.seed + 1);

  set(faults: SandboxFaults): void {
    this.current = faults;
    this.apiRandom = new SeededRandom(faults.seed);
    this.webhookRandom = new SeededRandom(faults.seed + 1);
  }
}

function isNonNegativeInteger(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0;
}
