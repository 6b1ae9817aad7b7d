import type { DriftItem } from '#domain';
import { formatDriftReport } from '../../src/drift/drift-report.format.js';

const report = (items: Partial<DriftItem>[]) => ({
  checkId: 'c1',
  mode: 'full',
  trigger: 'cli',
  generatedAt: '2030-01-01T00:00:00.000Z',
  window: { from: '2029-12-25T00:00:00.000Z', to: '2030-03-31T00:00:00.000Z' },
  checked: { ledger: 12, calcom: 13 },
  items: items.map(
    (item) => ({ id: '', kind: 'time_mismatch', appointmentId: null, bookingUid: null, ledger: null, calcom: null, differences: [], summary: 's', ...item }) as DriftItem,
  ),
});

describe('the printed report', () => {
  it('says what was compared and that there is no drift', () => {
    expect(formatDriftReport(report([]))).toBe(
      'Drift check c1 (full, cli) at 2030-01-01T00:00:00.000Z\n' +
        'Window 2029-12-25T00:00:00.000Z → 2030-03-31T00:00:00.000Z; compared 12 appointments with 13 Cal.com bookings\n' +
        'No drift.',
    );
  });

  it('lists one line per item and counts drift by kind, pending apart', () => {
    const text = formatDriftReport(
      report([
        { kind: 'missing_in_ledger', bookingUid: 'x9', summary: 'Cal.com has an active booking x9 that no appointment knows' },
        { kind: 'time_mismatch', appointmentId: 'a1', bookingUid: 'u1', summary: 'moved' },
        { kind: 'pending', appointmentId: 'a2', bookingUid: 'u2', summary: 'sync at work' },
      ]),
    );
    expect(text).toMatch(/missing_in_ledger\s+-\s+x9\s+Cal.com has an active booking x9/);
    expect(text).toMatch(/time_mismatch\s+a1\s+u1\s+moved/);
    expect(text.split('\n').at(-1)).toBe('2 drift item(s): missing_in_ledger 1, time_mismatch 1; 1 pending (sync still at work, not drift).');
  });
});
