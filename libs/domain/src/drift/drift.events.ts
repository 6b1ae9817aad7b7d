import type { Event } from '../event.js';
import type { DriftItem, DriftKind } from './drift.types.js';

/**
 * Every drift check, heal and blocked heal is recorded in one stream, `drift-checks`, with `source: "reconciler"`,
 * so drift over time can be replayed and the notifications read model can list what needs a person.
 */
export const driftChecksStream = 'drift-checks';

export interface DriftWindow {
  from: string;
  to: string;
}

export type DriftCheckMode = 'full' | 'incremental';
export type DriftCheckTrigger = 'schedule' | 'api' | 'cli';
export type DriftHealPolicy = 'report' | 'ledger-wins' | 'calcom-wins';
export type DriftKeep = 'ledger' | 'calcom';

/** A drift item as reported: `detectedAt` is when a check first saw it, kept while it persists. */
export interface DriftReportItem extends DriftItem {
  detectedAt: string;
}

export type DriftCheckCompleted = Event<
  'DriftCheckCompleted',
  {
    checkId: string;
    mode: DriftCheckMode;
    trigger: DriftCheckTrigger;
    startedAt: string;
    generatedAt: string;
    window: DriftWindow;
    /** Incremental checks read only the bookings Cal.com changed since this time. */
    updatedSince: string | null;
    checked: { ledger: number; calcom: number };
    /** Cal.com pages read. */
    pages: number;
    /** The whole drift as it stands after this check (an incremental check carries the rest over). */
    items: DriftReportItem[];
  }
>;

export type DriftCheckFailed = Event<
  'DriftCheckFailed',
  { checkId: string; mode: DriftCheckMode; trigger: DriftCheckTrigger; startedAt: string; failedAt: string; error: { code: string; message: string } }
>;

export type DriftItemHealed = Event<
  'DriftItemHealed',
  {
    itemId: string;
    kind: DriftKind;
    appointmentId: string;
    bookingUid: string | null;
    keep: DriftKeep;
    decidedBy: 'person' | 'policy';
    /** What was appended: `CalcomBookingObserved`, `AppointmentRescheduled` … */
    appended: string[];
  }
>;

/** A notification: automatic healing stopped because it would have created or cancelled too many bookings at once. */
export type DriftHealBlocked = Event<'DriftHealBlocked', { checkId: string; policy: DriftHealPolicy; bookingChanges: number; max: number; itemIds: string[]; summary: string }>;

export type DriftEvent = DriftCheckCompleted | DriftCheckFailed | DriftItemHealed | DriftHealBlocked;
