import { useState } from 'react';
import { CalcomBox } from '../components/CalcomBox';
import { AppointmentActions } from '../components/AppointmentActions';
import { HistoryTimeline } from '../components/HistoryTimeline';
import { SyncBadge } from '../components/SyncBadge';
import { nameOf, useAppointment, useServices, useStaff } from '../data';
import { useI18n } from '../i18n';
import { Link } from '../router';
import { fromLocalInput, toLocalInput } from '../zoned-time';
import { statusText } from './CalendarPage';

/** Every field, every action the API offers, the Cal.com side, the history, and the appointment as of a past moment. */
export function AppointmentPage({ appointmentId, canAct }: { appointmentId: string; canAct: boolean }) {
  const { t, timeZone, dateTime } = useI18n();
  const [asOf, setAsOf] = useState<string | null>(null);
  const [asOfInput, setAsOfInput] = useState(() => toLocalInput(new Date(), timeZone));
  const appointment = useAppointment(appointmentId, asOf);
  const staff = useStaff();
  const services = useServices();

  if (appointment.isPending) return <p>{t('loading')}</p>;
  if (appointment.isError) return <p role="alert">{appointment.error.message.includes('not found') ? t('notFound') : t('loadFailed', { message: appointment.error.message })}</p>;
  const current = appointment.data;

  return (
    <article className="appointment-page" aria-labelledby="appointment-title">
      <p>
        <Link to="/">{t('navCalendar')}</Link> · <Link to="/list">{t('navList')}</Link>
      </p>
      <h1 id="appointment-title">
        {current.customer.name} <span className="status-chip">{statusText(current.status, t)}</span> <SyncBadge calcom={current.calcom} />
      </h1>
      <form
        className="as-of"
        onSubmit={(event) => {
          event.preventDefault();
          const at = fromLocalInput(asOfInput, timeZone);
          if (at) setAsOf(at.toISOString());
        }}
      >
        <label>
          {t('asOf')}
          <input type="datetime-local" value={asOfInput} onChange={(event) => setAsOfInput(event.target.value)} />
        </label>
        <button type="submit">{t('showAsOf')}</button>
        {asOf && (
          <button type="button" onClick={() => setAsOf(null)}>
            {t('backToNow')}
          </button>
        )}
      </form>
      {asOf && <p className="notice warn">{t('asOfNote', { time: dateTime(asOf) })}</p>}
      <div className="appointment-columns">
        <section aria-labelledby="details-title" className="card">
          <h2 id="details-title">{t('details')}</h2>
          <dl className="fields">
            <dt>{t('when')}</dt>
            <dd>
              {dateTime(current.startsAt)} – {dateTime(current.endsAt)}
            </dd>
            <dt>{t('staff')}</dt>
            <dd>{nameOf(staff.data, current.staffId, 'staffId')}</dd>
            <dt>{t('service')}</dt>
            <dd>{nameOf(services.data, current.serviceId, 'serviceId')}</dd>
            <dt>{t('customer')}</dt>
            <dd>
              {current.customer.name}
              <br />
              {current.customer.email}
              {current.customer.phone && (
                <>
                  <br />
                  {current.customer.phone}
                </>
              )}
              <br />
              {current.customer.timeZone}
            </dd>
            <dt>{t('notes')}</dt>
            <dd className="pre">{current.notes ?? '—'}</dd>
            {current.cancellationReason && (
              <>
                <dt>{t('reason')}</dt>
                <dd>{current.cancellationReason}</dd>
              </>
            )}
            <dt>{t('status')}</dt>
            <dd>{statusText(current.status, t)}</dd>
            <dt>{t('version')}</dt>
            <dd>{current.version}</dd>
          </dl>
          {canAct && !asOf && <AppointmentActions appointment={current} staff={staff.data ?? []} services={services.data ?? []} />}
        </section>
        <CalcomBox appointment={current} canAct={canAct && !asOf} />
      </div>
      <HistoryTimeline appointmentId={appointmentId} />
    </article>
  );
}
