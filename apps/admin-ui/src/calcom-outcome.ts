import type { I18n } from './i18n';
import type { Service, Staff } from './types';

/**
 * What the Cal.com sync will do for a change, said before it is sent (the process manager's rules, README "Cal.com
 * sync"): a move is a reschedule (new uid); a reassign stays in place on an event type both share (round-robin),
 * otherwise the booking is cancelled on the old host's event type and made on the new one's.
 */
export function calcomOutcomeOfReassign(service: Service | undefined, fromStaff: Staff | undefined, toStaff: Staff | undefined, t: I18n['t']): string {
  const fromName = fromStaff?.name ?? '?';
  const toName = toStaff?.name ?? '?';
  const fromType = fromStaff && service?.calcomEventTypeIds[fromStaff.staffId];
  const toType = toStaff && service?.calcomEventTypeIds[toStaff.staffId];
  if (!toType) return t('calcomNoEventType', { staff: toName, service: service?.name ?? '?' });
  if (fromType === toType) return t('calcomWillReassignInPlace', { staff: toName });
  return t('calcomWillRebook', { from: fromName, to: toName });
}

export function calcomOutcomeOfServiceChange(service: Service | undefined, staff: Staff | undefined, t: I18n['t']): string {
  if (staff && !service?.calcomEventTypeIds[staff.staffId]) return t('calcomNoEventType', { staff: staff.name, service: service?.name ?? '?' });
  return t('calcomWillChangeService', { service: service?.name ?? '?' });
}
