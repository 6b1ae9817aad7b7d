import { useAbsenceText } from '../absences/absence-messages';
import { StaffAbsences } from '../absences/StaffAbsences';
import { useServices, useStaff } from '../data';
import { useI18n } from '../i18n';
import { useSession } from '../session';

/** Who works here and what they offer, with the Cal.com ids each maps to, and each staff member's absences. */
export function CatalogPage() {
  const { t } = useI18n();
  const a = useAbsenceText();
  // The role from the session the shell is showing: auditors see the absences and no control.
  const canAct = useSession().data?.user.role === 'admin';
  const staff = useStaff();
  const services = useServices();
  return (
    <section aria-labelledby="catalog-title">
      <h1 id="catalog-title">{t('catalog')}</h1>
      <h2>{t('staff')}</h2>
      <table className="table">
        <thead>
          <tr>
            <th scope="col">{t('name')}</th>
            <th scope="col">{t('email')}</th>
            <th scope="col">{t('calcomUserId')}</th>
          </tr>
        </thead>
        <tbody>
          {(staff.data ?? []).map((member) => (
            <tr key={member.staffId}>
              <td>
                {member.name} <span className="muted mono">{member.staffId}</span>
              </td>
              <td>{member.email}</td>
              <td className="mono">{member.calcomUserId ?? '—'}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <h2>{t('service')}</h2>
      <table className="table">
        <thead>
          <tr>
            <th scope="col">{t('name')}</th>
            <th scope="col">{t('duration', { minutes: '' }).trim()}</th>
            <th scope="col">{t('calcomEventTypes')}</th>
          </tr>
        </thead>
        <tbody>
          {(services.data ?? []).map((service) => (
            <tr key={service.serviceId}>
              <td>
                {service.name} <span className="muted mono">{service.serviceId}</span>
              </td>
              <td>{t('duration', { minutes: service.durationMinutes })}</td>
              <td className="mono">
                {Object.entries(service.calcomEventTypeIds)
                  .map(([staffId, eventTypeId]) => `${staff.data?.find((member) => member.staffId === staffId)?.name ?? staffId}: ${eventTypeId}`)
                  .join(', ') || '—'}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <h2>{a('absences')}</h2>
      {(staff.data ?? []).map((member) => (
        <StaffAbsences key={member.staffId} member={member} canAct={canAct} />
      ))}
    </section>
  );
}
