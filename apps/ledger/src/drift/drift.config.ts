import type { DriftHealPolicy } from '#domain';

export interface DriftSettings {
  /** The window starts this long ago (`DRIFT_LOOKBACK`, default 7 days)… */
  lookbackMs: number;
  /** …and ends this far ahead (`DRIFT_LOOKAHEAD`, default 90 days). */
  lookaheadMs: number;
  /** Time between scheduled checks (`DRIFT_INTERVAL`, default 10 minutes); 0 turns the schedule off. */
  intervalMs: number;
  /** Every n-th scheduled check reads the whole window; the others only what Cal.com changed since (`DRIFT_FULL_SCAN_EVERY`, default 6). */
  fullScanEvery: number;
  /** `DRIFT_HEAL`: report (default), ledger-wins or calcom-wins. */
  heal: DriftHealPolicy;
  /** `DRIFT_HEAL_MAX` (default 10): automatic healing that would create or cancel more bookings than this stops and notifies. */
  healMax: number;
  /** How far an incremental check reaches back before the previous check started, for clock skew with Cal.com. */
  incrementalOverlapMs: number;
}

const DAY = 86_400_000;

export const defaultDriftSettings: DriftSettings = {
  lookbackMs: 7 * DAY,
  lookaheadMs: 90 * DAY,
  intervalMs: 10 * 60_000,
  fullScanEvery: 6,
  heal: 'report',
  healMax: 10,
  incrementalOverlapMs: 2 * 60_000,
};

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: DAY };

/** Reads the DRIFT_* variables; `fail` builds the start-up error for a bad value. */
export function parseDriftSettings(env: NodeJS.ProcessEnv, fail: (message: string) => Error): DriftSettings {
  const duration = (name: string, fallback: number): number => {
    const value = env[name];
    if (value === undefined || value === '') return fallback;
    const match = /^(\d+)\s*(ms|s|m|h|d)?$/.exec(value.trim());
    if (!match) throw fail(`${name} must be a duration such as 90d, 12h, 10m, 30s or 500ms, got "${value}"`);
    return Number(match[1]) * UNIT_MS[match[2] ?? 'ms'];
  };
  const count = (name: string, fallback: number, min: number): number => {
    const value = env[name];
    if (value === undefined || value === '') return fallback;
    const parsed = Number(value);
    if (!Number.isInteger(parsed) || parsed < min) throw fail(`${name} must be an integer of at least ${min}, got "${value}"`);
    return parsed;
  };
  const heal = env.DRIFT_HEAL || defaultDriftSettings.heal;
  if (heal !== 'report' && heal !== 'ledger-wins' && heal !== 'calcom-wins') throw fail(`DRIFT_HEAL must be report, ledger-wins or calcom-wins, got "${heal}"`);
  return {
    lookbackMs: duration('DRIFT_LOOKBACK', defaultDriftSettings.lookbackMs),
    lookaheadMs: duration('DRIFT_LOOKAHEAD', defaultDriftSettings.lookaheadMs),
    intervalMs: duration('DRIFT_INTERVAL', defaultDriftSettings.intervalMs),
    fullScanEvery: count('DRIFT_FULL_SCAN_EVERY', defaultDriftSettings.fullScanEvery, 1),
    heal,
    healMax: count('DRIFT_HEAL_MAX', defaultDriftSettings.healMax, 0),
    incrementalOverlapMs: defaultDriftSettings.incrementalOverlapMs,
  };
}
