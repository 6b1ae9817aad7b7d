import { countByKind, driftOnly, type DriftItem, type DriftWindow } from '#domain';

export interface PrintableReport {
  checkId: string;
  mode: string;
  trigger: string;
  generatedAt: string;
  window: DriftWindow | null;
  checked: { ledger: number; calcom: number };
  items: DriftItem[];
}

/** The report as a person reads it in a terminal: one line per item, then the verdict. */
export function formatDriftReport(report: PrintableReport): string {
  const window = report.window ? `${report.window.from} → ${report.window.to}` : 'none';
  const lines = [
    `Drift check ${report.checkId} (${report.mode}, ${report.trigger}) at ${report.generatedAt}`,
    `Window ${window}; compared ${report.checked.ledger} appointments with ${report.checked.calcom} Cal.com bookings`,
  ];
  if (report.items.length > 0) {
    lines.push('', `  ${'KIND'.padEnd(20)} ${'APPOINTMENT'.padEnd(38)} ${'BOOKING'.padEnd(24)} SUMMARY`);
    for (const item of report.items) {
      lines.push(`  ${item.kind.padEnd(20)} ${(item.appointmentId ?? '-').padEnd(38)} ${(item.bookingUid ?? '-').padEnd(24)} ${item.summary}`);
    }
    lines.push('');
  }
  const drift = driftOnly(report.items);
  const pending = report.items.length - drift.length;
  const byKind = Object.entries(countByKind(drift))
    .map(([kind, count]) => `${kind} ${count}`)
    .join(', ');
  const pendingNote = pending > 0 ? `; ${pending} pending (sync still at work, not drift)` : '';
  lines.push(drift.length === 0 ? `No drift${pendingNote}.` : `${drift.length} drift item(s): ${byKind}${pendingNote}.`);
  return lines.join('\n');
}
