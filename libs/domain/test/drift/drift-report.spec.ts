import { compileReport, countByKind, driftExitCode } from '../../src/drift/drift-report.js';
import type { DriftReportItem } from '../../src/drift/drift.events.js';
import type { DriftItem, DriftKind } from '../../src/drift/drift.types.js';

const item = (kind: DriftKind, appointmentId: string | null, bookingUid: string | null, detectedAt = ''): DriftReportItem => ({
  id: `${kind}:${appointmentId ?? bookingUid}`,
  kind,
  appointmentId,
  bookingUid,
  ledger: null,
  calcom: null,
  differences: [],
  summary: '',
  detectedAt,
});
const found = (report: DriftReportItem): DriftItem => {
  const { detectedAt: _dropped, ...rest } = report;
  return rest;
};
const T1 = '2030-01-01T00:00:00.000Z';
const T2 = '2030-01-01T00:10:00.000Z';

describe('compileReport', () => {
  it('a full check replaces the previous report, keeping when a persisting item was first seen', () => {
    const previous = [item('time_mismatch', 'a1', 'u1', T1), item('missing_in_ledger', null, 'x9', T1)];
    const report = compileReport(previous, [found(item('time_mismatch', 'a1', 'u1')), found(item('host_mismatch', 'a2', 'u2'))], 'full', T2);
    expect(report.map(({ id, detectedAt }) => [id, detectedAt])).toEqual([
      ['time_mismatch:a1', T1],
      ['host_mismatch:a2', T2],
    ]);
  });

  it('an incremental check replaces only what it examined and carries the rest over', () => {
    const previous = [item('time_mismatch', 'a1', 'u1', T1), item('missing_in_ledger', null, 'x9', T1), item('host_mismatch', 'a3', 'u3', T1)];
    const report = compileReport(previous, [found(item('status_mismatch', 'a3', 'u3'))], { appointmentIds: ['a1', 'a3'], bookingUids: ['x9'] }, T2);
    expect(report.map(({ id, detectedAt }) => [id, detectedAt])).toEqual([['status_mismatch:a3', T2]]);
    const untouched = compileReport(previous, [], { appointmentIds: ['other'], bookingUids: [] }, T2);
    expect(untouched).toEqual(previous);
  });
});

describe('exit code and counts', () => {
  it('is 0 with nothing or only pending items, 2 with drift', () => {
    expect(driftExitCode([])).toBe(0);
    expect(driftExitCode([item('pending', 'a1', 'u1')])).toBe(0);
    expect(driftExitCode([item('pending', 'a1', 'u1'), item('unmapped', null, 'x')])).toBe(2);
  });

  it('counts items by kind', () => {
    expect(countByKind([item('pending', 'a1', null), item('unmapped', null, 'x'), item('unmapped', null, 'y')])).toEqual({ pending: 1, unmapped: 2 });
  });
});
