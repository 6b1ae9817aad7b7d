import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { ApiError, get, post } from '../api';
import { SideBySide } from '../components/SideBySide';
import { useI18n } from '../i18n';
import { refusalText } from '../refusal';
import { Link } from '../router';

interface DriftItem {
  id: string;
  kind: string;
  appointmentId: string | null;
  bookingUid: string | null;
  ledger: unknown;
  calcom: unknown;
  summary: string;
  detectedAt: string;
  healed?: unknown;
}

interface DriftReport {
  checkId?: string;
  generatedAt: string;
  checked: { ledger: number; calcom: number };
  driftCount: number;
  items: DriftItem[];
}

/** The latest comparison of Cal.com with the ledger, a button to compare now, and a heal per difference. */
export function DriftPage({ canAct }: { canAct: boolean }) {
  const { t, dateTime } = useI18n();
  const client = useQueryClient();
  const [busy, setBusy] = useState(false);
  const [said, setSaid] = useState<string | null>(null);
  // Before the first check the ledger answers 404: no report yet, which is not an error to show.
  const report = useQuery({
    queryKey: ['drift', 'latest'],
    queryFn: () =>
      get<DriftReport>('/drift').catch((error: unknown) => {
        if (error instanceof ApiError && error.status === 404) return null;
        throw error;
      }),
  });
  const history = useQuery({
    queryKey: ['drift', 'history'],
    queryFn: () =>
      get<{ items?: { checkId: string; generatedAt: string; driftCount: number }[] } | { checkId: string; generatedAt: string; driftCount: number }[]>('/drift/history?limit=10'),
  });
  const act = async (run: () => Promise<unknown>) => {
    setBusy(true);
    setSaid(null);
    try {
      await run();
      setSaid(t('saved'));
    } catch (error) {
      setSaid(refusalText(error, t));
    } finally {
      setBusy(false);
      await client.invalidateQueries({ queryKey: ['drift'] });
    }
  };
  const latest = report.data && 'items' in report.data ? report.data : null;
  const pastChecks = Array.isArray(history.data) ? history.data : (history.data?.items ?? []);
  return (
    <section aria-labelledby="drift-title">
      <h1 id="drift-title">{t('drift')}</h1>
      {canAct && (
        <button type="button" className="primary" disabled={busy} onClick={() => void act(() => post('/drift/check', { mode: 'full' }))}>
          {busy ? t('checking') : t('runCheck')}
        </button>
      )}
      <p role="status">{said}</p>
      <h2>{t('latestReport')}</h2>
      {report.isError && <p role="alert">{t('loadFailed', { message: report.error.message })}</p>}
      {!latest && !report.isPending && <p>{t('noReport')}</p>}
      {latest && (
        <>
          <p>{t('checkedAt', { time: dateTime(latest.generatedAt), checked: latest.checked.calcom })}</p>
          {latest.items.length === 0 && <p>{t('noDrift')}</p>}
          {latest.items.map((item) => (
            <article key={item.id} className="card" aria-label={item.summary}>
              <h3>
                <span className="kind">{item.kind}</span> {item.summary}
              </h3>
              <p className="muted">
                {item.appointmentId && <Link to={`/appointments/${encodeURIComponent(item.appointmentId)}`}>{item.appointmentId}</Link>} {item.bookingUid}
              </p>
              <SideBySide ledger={item.ledger} calcom={item.calcom} />
              {canAct && !item.healed && (
                <div className="dialog-actions">
                  <button
                    type="button"
                    disabled={busy}
                    aria-label={`${t('heal')}: ${t('keepLedger')} (${item.id})`}
                    onClick={() => void act(() => post(`/drift/items/${encodeURIComponent(item.id)}/heal`, { keep: 'ledger' }))}
                  >
                    {t('heal')}: {t('keepLedger')}
                  </button>
                  <button
                    type="button"
                    disabled={busy}
                    aria-label={`${t('heal')}: ${t('keepCalcom')} (${item.id})`}
                    onClick={() => void act(() => post(`/drift/items/${encodeURIComponent(item.id)}/heal`, { keep: 'calcom' }))}
                  >
                    {t('heal')}: {t('keepCalcom')}
                  </button>
                </div>
              )}
            </article>
          ))}
        </>
      )}
      <h2>{t('pastChecks')}</h2>
      <ul>
        {pastChecks.map((check) => (
          <li key={check.checkId}>
            {dateTime(check.generatedAt)} · {check.driftCount}
          </li>
        ))}
      </ul>
    </section>
  );
}
