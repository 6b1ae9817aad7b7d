import { ApiError } from './api';
import type { I18n } from './i18n';

/** A refused command in the person's words: what was refused and that nothing changed. */
export function refusalText(error: unknown, t: I18n['t'], names: { staff?: string } = {}): string {
  if (!(error instanceof ApiError)) return t('refusedOther', { message: error instanceof Error ? error.message : String(error) });
  const details = (error.details ?? {}) as Record<string, unknown>;
  switch (error.code) {
    case 'STAFF_UNAVAILABLE':
      return t('refusedStaffUnavailable', { staff: names.staff ?? printable(details.staffId) });
    case 'CALCOM_SLOT_UNAVAILABLE':
      return t('refusedSlotUnavailable', { staff: names.staff ?? printable(details.hostUserId) });
    case 'VERSION_CONFLICT':
      return t('refusedStale', { version: printable(details.actualVersion) });
    case 'APPOINTMENT_CANCELLED':
      return t('refusedCancelled');
    case 'FORBIDDEN':
    case 'CSRF_TOKEN_INVALID':
      return t('refusedForbidden');
    default:
      return t('refusedOther', { message: error.message });
  }
}

const printable = (value: unknown): string => (typeof value === 'string' || typeof value === 'number' ? String(value) : '?');
