import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { get, post } from '../api';
import { SideBySide } from '../components/SideBySide';
import { useI18n } from '../i18n';
import { refusalText } from '../refusal';
import { Link } from '../router';

interface Conflict {
  conflictId: string;
  appointmentId: string;
  status: 'open' | 'resolved';
  summary: string;
  ledger: unknown;
  calcom: unknown;
  keep: 'ledger' | 'calcom' | null;
  decidedBy: string | null;
  detectedAt: string;
  resolvedAt: string | null;
}

/** Changes made on both sides at once: each side in full, and the person picks which one the appointment keeps. */
export function ConflictsPage({ canAct }: { canAct: boolean }) {
  const { t, dateTime } = useI18n();
  const client = useQueryClient();
  const [status, setStatus] = useState<'open' | 'resolved'>('open');
  const [said, setSaid] = useState<string | null>(null);
  const conflicts = useQuery({ queryKey: ['conflicts', status], queryFn: () => get<{ items: Conflict[] }>(`/conflicts?status=${status}`).then((body) => body.items) });
  const resolve = async (conflictId: string, keep: 'ledger' | 'calcom') => {
    setSaid(null);
    try {
      await post(`/conflicts/${encodeURIComponent(conflictId)}/resolve`, { keep });
      setSaid(t('saved'));
    } catch (error) {
      setSaid(refusalText(error, t));
    }
    await client.invalidateQueries({ queryKey: ['conflicts'] });
    await client.invalidateQueries({ queryKey: ['appointments'] });
  };
  return (
    <section aria-labelledby="conflicts-title">
      <h1 id="conflicts-title">{t('conflicts')}</h1>
      <div className="toolbar-group" role="group" aria-label={t('status')}>
        <button type="button" aria-pressed={status === 'open'} onClick={() => setStatus('open')}>
          {t('openConflicts')}
        </button>
        <button type="button" aria-pressed={status === 'resolved'} onClick={() => setStatus('resolved')}>
          {t('resolvedConflicts')}
        </button>
      </div>
      <p role="status">{said}</p>
      {conflicts.isError && <p role="alert">{t('loadFailed', { message: conflicts.error.message })}</p>}
      {conflicts.data?.length === 0 && <p>{t('noConflicts')}</p>}
      {(conflicts.data ?? []).map((conflict) => (
        <article key={conflict.conflictId} className="card" aria-label={conflict.summary}>
          <h2>{conflict.summary}</h2>
          <p className="muted">
            <Link to={`/appointments/${encodeURIComponent(conflict.appointmentId)}`}>{conflict.appointmentId}</Link> · {dateTime(conflict.detectedAt)}
            {conflict.keep && ` · ${conflict.keep === 'ledger' ? t('keepLedger') : t('keepCalcom')} (${conflict.decidedBy})`}
          </p>
          <SideBySide ledger={conflict.ledger} calcom={conflict.calcom} />
          {canAct && conflict.status === 'open' && (
            <div className="dialog-actions">
              <button type="button" onClick={() => void resolve(conflict.conflictId, 'ledger')}>
                {t('keepLedger')}
              </button>
              <button type="button" onClick={() => void resolve(conflict.conflictId, 'calcom')}>
                {t('keepCalcom')}
              </button>
            </div>
          )}
        </article>
      ))}
    </section>
  );
}
