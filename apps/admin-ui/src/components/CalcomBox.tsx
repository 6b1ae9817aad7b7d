import { useState } from 'react';
import { post } from '../api';
import { useI18n } from '../i18n';
import { refusalText } from '../refusal';
import type { Appointment } from '../types';
import { SyncBadge } from './SyncBadge';

/** The Cal.com side of the appointment: its booking uids, how far the sync is, and Cal.com's last words. */
export function CalcomBox({ appointment, canAct }: { appointment: Appointment; canAct: boolean }) {
  const { t, dateTime } = useI18n();
  const [said, setSaid] = useState<string | null>(null);
  const calcom = appointment.calcom;
  const syncNow = async () => {
    setSaid(null);
    try {
      await post(`/appointments/${encodeURIComponent(appointment.appointmentId)}/sync`);
      setSaid(t('syncRequested'));
    } catch (error) {
      setSaid(refusalText(error, t));
    }
  };
  return (
    <section aria-labelledby="calcom-title" className="card calcom-box">
      <h2 id="calcom-title">
        {t('calcomBox')} <SyncBadge calcom={calcom} />
      </h2>
      <dl className="fields">
        <dt>{t('bookingUid')}</dt>
        <dd className="mono">{calcom?.bookingUid ?? '—'}</dd>
        <dt>{t('bookingUids')}</dt>
        <dd>
          {calcom?.bookingUids?.length ? (
            <ol className="uid-chain mono">
              {calcom.bookingUids.map((uid) => (
                <li key={uid}>{uid}</li>
              ))}
            </ol>
          ) : (
            '—'
          )}
        </dd>
        <dt>{t('syncStatus')}</dt>
        <dd>{String(calcom?.syncStatus ?? 'pending')}</dd>
        <dt>{t('lastSynced')}</dt>
        <dd>{calcom?.lastSyncedAt ? dateTime(calcom.lastSyncedAt) : '—'}</dd>
        <dt>{t('attempts')}</dt>
        <dd>{calcom?.attempts ?? 0}</dd>
        <dt>{t('lastError')}</dt>
        <dd className="pre">{calcom?.lastError ? errorWords(calcom.lastError) : '—'}</dd>
        <dt>{t('nextRetry')}</dt>
        <dd>{calcom?.nextRetryAt ? dateTime(calcom.nextRetryAt) : '—'}</dd>
      </dl>
      {calcom?.notSynced && calcom.notSynced.length > 0 && <p className="notice warn">{t('notSynced', { fields: calcom.notSynced.join(', ') })}</p>}
      {canAct && (
        <button type="button" onClick={() => void syncNow()}>
          {t('syncNow')}
        </button>
      )}
      <p role="status">{said}</p>
    </section>
  );
}

/** Cal.com's own words where it gave some, else whatever the sync recorded. */
function errorWords(error: unknown): string {
  if (typeof error === 'string') return error;
  if (error && typeof error === 'object') {
    const { message, code, status } = error as { message?: unknown; code?: unknown; status?: unknown };
    if (typeof message === 'string') return [status, code, message].filter((part) => typeof part === 'string' || typeof part === 'number').join(' · ');
    return JSON.stringify(error);
  }
  return String(error);
}
