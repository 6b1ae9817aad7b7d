import type { DriftReportItem } from './drift.events.js';
import type { DriftItem, DriftKind } from './drift.types.js';

/** What an incremental check looked at: items about anything else are carried over from the previous report. */
export interface DriftScope {
  appointmentIds: Iterable<string>;
  bookingUids: Iterable<string>;
}

/**
 * The drift as it stands after a check. A full check replaces the previous report; an incremental one replaces only
 * the items about appointments and bookings it examined. An item seen before keeps its first `detectedAt`.
 */
export function compileReport(previous: readonly DriftReportItem[], found: readonly DriftItem[], scope: DriftScope | 'full', now: string): DriftReportItem[] {
  const firstSeen = new Map(previous.map((item) => [item.id, item.detectedAt]));
  const fresh = found.map((item) => ({ ...item, detectedAt: firstSeen.get(item.id) ?? now }));
  if (scope === 'full') return fresh;
  const appointmentIds = new Set(scope.appointmentIds);
  const bookingUids = new Set(scope.bookingUids);
  const freshIds = new Set(fresh.map((item) => item.id));
  const examined = (item: DriftReportItem) =>
    (item.appointmentId !== null && appointmentIds.has(item.appointmentId)) ||
    (item.bookingUid !== null && bookingUids.has(item.bookingUid)) ||
    (item.calcom?.path ?? []).some((uid) => bookingUids.has(uid));
  const carried = previous.filter((item) => !examined(item) && !freshIds.has(item.id));
  return [...carried, ...fresh];
}

/** Items that are drift; `pending` ones are not (the sync is still at work). */
export const driftOnly = <T extends DriftItem>(items: readonly T[]): T[] => items.filter((item) => item.kind !== 'pending');

export function countByKind(items: readonly DriftItem[]): Partial<Record<DriftKind, number>> {
  const counts: Partial<Record<DriftKind, number>> = {};
  for (const { kind } of items) counts[kind] = (counts[kind] ?? 0) + 1;
  return counts;
}

/** `terraform plan -detailed-exitcode`: 0 no drift, 2 drift (1 is left for errors). */
export const driftExitCode = (items: readonly DriftItem[]): 0 | 2 => (driftOnly(items).length > 0 ? 2 : 0);
