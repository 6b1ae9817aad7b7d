import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { get, post } from '../api';
import { useI18n } from '../i18n';
import { refusalText } from '../refusal';
import { Link } from '../router';

interface SyncHealth {
  counts: Record<string, number>;
  oldestPending: { appointmentId: string; since: string } | null;
  failuresLastHour: { calls: number; permanent: number };
  lastWebhookReceivedAt: string | null;
}

interface Fact {
  factId: string;
  triggerEvent: string;
  bookingUid: string | null;
  appointmentId: string | null;
  outcome: string | null;
  reason: string | null;
  receivedAt: string;
}

interface Notification {
  kind: string;
  message?: string;
  summary?: string;
  appointmentId?: string | null;
  at?: string;
  createdAt?: string;
  [more: string]: unknown;
}

/** The sync at a glance, the webhook facts that failed (with a retry) and what a person should hear about. */
export function SyncHealthPage({ canAct }: { canAct: boolean }) {
  const { t, dateTime } = useI18n();
  const client = useQueryClient();
  const [said, setSaid] = useState<string | null>(null);
  const health = useQuery({ queryKey: ['sync', 'status'], queryFn: () => get<SyncHealth>('/sync/status') });
  const failed = useQuery({
    queryKey: ['sync', 'facts-failed'],
    queryFn: () => get<{ items: Fact[] }>('/webhooks/calcom/facts?outcome=failed&limit=50').then((body) => body.items),
  });
  const notifications = useQuery({ queryKey: ['sync', 'notifications'], queryFn: () => get<{ items: Notification[] }>('/notifications?limit=50').then((body) => body.items) });
  const retry = async (factId: string) => {
    setSaid(null);
    try {
      await post(`/webhooks/calcom/facts/${encodeURIComponent(factId)}/retry`);
      setSaid(t('saved'));
    } catch (error) {
      setSaid(refusalText(error, t));
    }
    await client.invalidateQueries({ queryKey: ['sync'] });
  };
  return (
    <section aria-labelledby="sync-title">
      <h1 id="sync-title">{t('syncHealth')}</h1>
      {health.isError && <p role="alert">{t('loadFailed', { message: health.error.message })}</p>}
      {health.data && (
        <div className="cards">
          <section className="card" aria-labelledby="counts-title">
            <h2 id="counts-title">{t('counts')}</h2>
            <dl className="counts">
              {Object.entries(health.data.counts).map(([status, count]) => (
                <div key={status} className={`count sync-${status}`}>
                  <dt>{status}</dt>
                  <dd>{count}</dd>
                </div>
              ))}
            </dl>
          </section>
          <section className="card">
            <dl className="fields">
              <dt>{t('oldestPending')}</dt>
              <dd>
                {health.data.oldestPending ? (
                  <Link to={`/appointments/${encodeURIComponent(health.data.oldestPending.appointmentId)}`}>{dateTime(health.data.oldestPending.since)}</Link>
                ) : (
                  t('none')
                )}
              </dd>
              <dt>{t('failuresLastHour')}</dt>
              <dd>{t('failureCounts', { calls: health.data.failuresLastHour.calls, permanent: health.data.failuresLastHour.permanent })}</dd>
              <dt>{t('lastWebhook')}</dt>
              <dd>{health.data.lastWebhookReceivedAt ? dateTime(health.data.lastWebhookReceivedAt) : t('none')}</dd>
            </dl>
          </section>
        </div>
      )}
      <p role="status">{said}</p>
      <h2>{t('failedFacts')}</h2>
      {failed.data?.length === 0 && <p>{t('none')}</p>}
      <ul className="plain-list">
        {(failed.data ?? []).map((fact) => (
          <li key={fact.factId}>
            {dateTime(fact.receivedAt)} · {fact.triggerEvent} · <span className="mono">{fact.bookingUid}</span> · {fact.reason}{' '}
            {canAct && (
              <button type="button" aria-label={`${t('retry')} ${fact.factId}`} onClick={() => void retry(fact.factId)}>
                {t('retry')}
              </button>
            )}
          </li>
        ))}
      </ul>
      <h2>{t('notifications')}</h2>
      {notifications.data?.length === 0 && <p>{t('none')}</p>}
      <ul className="plain-list">
        {(notifications.data ?? []).map((notification, index) => (
          <li key={`${notification.kind}-${index}`}>
            <strong>{notification.kind}</strong> {notification.message ?? notification.summary ?? ''}{' '}
            {notification.appointmentId && <Link to={`/appointments/${encodeURIComponent(notification.appointmentId)}`}>{notification.appointmentId}</Link>}
          </li>
        ))}
      </ul>
    </section>
  );
}
