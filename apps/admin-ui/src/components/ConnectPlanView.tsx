import type { ConnectPlan, UnmappedBooking } from '../calcom-connect';
import { useI18n } from '../i18n';

/** The whole plan of connecting, as the command line's dry run prints it: whose account, what changes, what is left out. */
export function ConnectPlanView({ plan }: { plan: ConnectPlan }) {
  const { t } = useI18n();
  const { account, catalog, webhook, bookings } = plan;
  const hostName = (userId: number) => catalog.staff.find((member) => member.calcomUserId === userId)?.name ?? String(userId);
  return (
    <div className="connect-plan">
      <p>{t('planAccount', { username: account.username, email: account.email, id: account.id, timeZone: account.timeZone })}</p>
      <h3>{t('planStaff')}</h3>
      <table className="table" aria-label={t('planStaff')}>
        <thead>
          <tr>
            <th scope="col">{t('name')}</th>
            <th scope="col">{t('email')}</th>
            <th scope="col">{t('calcomUserId')}</th>
            <th scope="col">{t('planChange')}</th>
          </tr>
        </thead>
        <tbody>
          {catalog.staff.map((member) => (
            <tr key={member.staffId}>
              <td>
                {member.name} <span className="muted mono">{member.staffId}</span>
              </td>
              <td>
                {member.email}
                {member.note && <span className="muted"> — {member.note}</span>}
              </td>
              <td className="mono">{member.calcomUserId}</td>
              <td>{t(`change_${member.change}`)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <h3>{t('planServices')}</h3>
      <table className="table" aria-label={t('planServices')}>
        <thead>
          <tr>
            <th scope="col">{t('name')}</th>
            <th scope="col">{t('duration', { minutes: '' }).trim()}</th>
            <th scope="col">{t('calcomEventTypes')}</th>
            <th scope="col">{t('planChange')}</th>
          </tr>
        </thead>
        <tbody>
          {catalog.services.map((service) => (
            <tr key={service.serviceId}>
              <td>
                {service.name} <span className="muted mono">{service.serviceId}</span>
                {service.roundRobin && <span className="status-chip">{t('planRoundRobin')}</span>}
              </td>
              <td>{t('duration', { minutes: service.durationMinutes })}</td>
              <td className="mono">
                {Object.entries(service.calcomEventTypeIds)
                  .map(([staffId, eventTypeId]) => `${staffId}: ${eventTypeId}`)
                  .join(', ')}
              </td>
              <td>{t(`change_${service.change}`)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {catalog.skipped.length > 0 && (
        <>
          <h3>{t('planSkipped')}</h3>
          <ul className="plain-list">
            {catalog.skipped.map((skipped) => (
              <li key={skipped.eventTypeId}>
                <span className="mono">{skipped.eventTypeId}</span>: {skipped.reason}
              </li>
            ))}
          </ul>
        </>
      )}
      <h3>{t('planWebhook')}</h3>
      <p>
        {webhook.action === 'create' && t('planWebhookCreate', { url: webhook.subscriberUrl })}
        {webhook.action === 'update' && t('planWebhookUpdate', { id: webhook.subscriptionId ?? '?', url: webhook.subscriberUrl, differences: webhook.differences.join(', ') })}
        {webhook.action === 'unchanged' && t('planWebhookUnchanged', { id: webhook.subscriptionId ?? '?', url: webhook.subscriberUrl })}
      </p>
      {webhook.duplicates.length > 0 && <p>{t('planWebhookDuplicates', { ids: webhook.duplicates.join(', ') })}</p>}
      <p className="muted">{t('planWebhookTriggers', { triggers: webhook.triggers.join(', ') })}</p>
      <h3>{t('planBookings')}</h3>
      <p>{t('planBookingsCounts', { toAdopt: bookings.toAdopt, rescheduled: bookings.rescheduled, alreadyInLedger: bookings.alreadyInLedger })}</p>
      <UnmappedList unmapped={bookings.unmapped} hostName={hostName} />
    </div>
  );
}

/** Bookings whose host or event type maps to nothing: listed with the reason, never dropped silently. */
export function UnmappedList({ unmapped, hostName }: { unmapped: UnmappedBooking[]; hostName: (userId: number) => string }) {
  const { t, dateTime } = useI18n();
  if (unmapped.length === 0) return <p>{t('planUnmappedNone')}</p>;
  return (
    <table className="table" aria-label={t('planUnmapped', { count: unmapped.length })}>
      <caption>{t('planUnmapped', { count: unmapped.length })}</caption>
      <thead>
        <tr>
          <th scope="col">{t('start')}</th>
          <th scope="col">Uid</th>
          <th scope="col">{t('eventTypeId')}</th>
          <th scope="col">{t('hostUserId')}</th>
          <th scope="col">{t('reason')}</th>
        </tr>
      </thead>
      <tbody>
        {unmapped.map((booking) => (
          <tr key={booking.uid}>
            <td>{dateTime(booking.start)}</td>
            <td className="mono">{booking.uid}</td>
            <td className="mono">{booking.eventTypeId ?? '—'}</td>
            <td>{booking.hostUserId === null ? '—' : hostName(booking.hostUserId)}</td>
            <td>{booking.reason}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** Whether carrying out the plan would change anything (a second run after connecting: nothing). */
export const planChangesNothing = (plan: ConnectPlan): boolean =>
  plan.catalog.staff.every((member) => member.change === 'unchanged') &&
  plan.catalog.services.every((service) => service.change === 'unchanged') &&
  plan.webhook.action === 'unchanged' &&
  plan.webhook.duplicates.length === 0 &&
  plan.bookings.toAdopt === 0;
