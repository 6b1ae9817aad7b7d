import type { ConnectPlan } from './calcom-connect.service.js';

const MARK = { add: '+', update: '~', unchanged: ' ' } as const;

/** The plan as a person reads it: what would change, and a count of what stays as it is. */
export function formatPlan(plan: ConnectPlan): string {
  const { account, catalog, webhook, bookings } = plan;
  const lines = [`Cal.com account: ${account.username} <${account.email}> (user ${account.id})`];
  const staffChanges = catalog.staff.filter((staff) => staff.change !== 'unchanged');
  lines.push(`Staff: ${staffChanges.length} to save, ${catalog.staff.length - staffChanges.length} unchanged`);
  for (const staff of staffChanges) {
    lines.push(`  ${MARK[staff.change]} ${staff.staffId}  ${staff.name} <${staff.email}>  Cal.com user ${staff.calcomUserId}${staff.note ? `  (${staff.note})` : ''}`);
  }
  const serviceChanges = catalog.services.filter((service) => service.change !== 'unchanged');
  lines.push(`Services: ${serviceChanges.length} to save, ${catalog.services.length - serviceChanges.length} unchanged`);
  for (const service of serviceChanges) {
    const hosts = Object.entries(service.calcomEventTypeIds)
      .map(([staffId, eventTypeId]) => `${staffId}→${eventTypeId}`)
      .join(', ');
    lines.push(`  ${MARK[service.change]} ${service.serviceId}  ${service.name}, ${service.durationMinutes} min${service.roundRobin ? ', round-robin' : ''}: ${hosts}`);
  }
  for (const skipped of catalog.skipped) lines.push(`  ! event type ${skipped.eventTypeId} left out: ${skipped.reason}`);
  const webhookWords = {
    create: 'create a subscription',
    update: `update subscription ${webhook.subscriptionId} (${webhook.differences.join(', ')})`,
    unchanged: `subscription ${webhook.subscriptionId} as it is`,
  };
  lines.push(`Webhook: ${webhookWords[webhook.action]} at ${webhook.subscriberUrl} for ${webhook.triggers.join(', ')}`);
  if (webhook.duplicates.length) lines.push(`  ! remove duplicate subscription(s) at the same URL: ${webhook.duplicates.join(', ')}`);
  lines.push(
    `Bookings: ${bookings.toAdopt} to adopt (${bookings.rescheduled} with a reschedule chain), ${bookings.alreadyInLedger} already in the ledger, ${bookings.unmapped.length} unmapped`,
  );
  for (const booking of bookings.unmapped) lines.push(`  ! ${booking.uid}  ${booking.start}  ${booking.reason}`);
  return lines.join('\n');
}
