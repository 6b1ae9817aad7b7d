import { defaultDriftSettings, parseDriftSettings } from '../../src/drift/drift.config.js';

const fail = (message: string) => new Error(message);

describe('DRIFT_* settings', () => {
  it('defaults to a 7-day lookback, 90-day lookahead, a check every 10 minutes, report only, at most 10', () => {
    expect(parseDriftSettings({}, fail)).toEqual(defaultDriftSettings);
    expect(defaultDriftSettings).toMatchObject({ lookbackMs: 7 * 86_400_000, lookaheadMs: 90 * 86_400_000, intervalMs: 600_000, heal: 'report', healMax: 10 });
  });

  it('reads durations with units, the policy and the limits', () => {
    expect(
      parseDriftSettings({ DRIFT_LOOKBACK: '36h', DRIFT_LOOKAHEAD: '30d', DRIFT_INTERVAL: '0', DRIFT_FULL_SCAN_EVERY: '3', DRIFT_HEAL: 'calcom-wins', DRIFT_HEAL_MAX: '0' }, fail),
    ).toMatchObject({ lookbackMs: 36 * 3_600_000, lookaheadMs: 30 * 86_400_000, intervalMs: 0, fullScanEvery: 3, heal: 'calcom-wins', healMax: 0 });
    expect(parseDriftSettings({ DRIFT_INTERVAL: '90s' }, fail).intervalMs).toBe(90_000);
    expect(parseDriftSettings({ DRIFT_INTERVAL: '1500ms' }, fail).intervalMs).toBe(1500);
  });

  it('refuses what it cannot read, naming the variable', () => {
    expect(() => parseDriftSettings({ DRIFT_HEAL: 'both' }, fail)).toThrow('DRIFT_HEAL must be report, ledger-wins or calcom-wins');
    expect(() => parseDriftSettings({ DRIFT_LOOKAHEAD: 'soon' }, fail)).toThrow('DRIFT_LOOKAHEAD must be a duration');
    expect(() => parseDriftSettings({ DRIFT_HEAL_MAX: '-1' }, fail)).toThrow('DRIFT_HEAL_MAX must be an integer of at least 0');
    expect(() => parseDriftSettings({ DRIFT_FULL_SCAN_EVERY: '0' }, fail)).toThrow('DRIFT_FULL_SCAN_EVERY must be an integer of at least 1');
  });
});
