import { useHistory } from '../data';
import { useI18n } from '../i18n';
import type { HistoryEntry } from '../types';

/** GET /appointments/{id}/history in store order: commands with their person, Cal.com calls and answers, webhook facts. */
export function HistoryTimeline({ appointmentId }: { appointmentId: string }) {
  const { t, dateTime } = useI18n();
  const history = useHistory(appointmentId);
  return (
    <section aria-labelledby="history-title" className="card">
      <h2 id="history-title">{t('history')}</h2>
      {history.isPending && <p>{t('loading')}</p>}
      {history.isError && <p role="alert">{t('loadFailed', { message: history.error.message })}</p>}
      <ol className="timeline">
        {(history.data ?? []).map((entry) => (
          <li key={`${entry.streamName}:${entry.revision}`} className={`timeline-item from-${sourceOf(entry)}`}>
            <div className="timeline-head">
              <time dateTime={entry.recordedAt}>{dateTime(entry.recordedAt)}</time> <strong>{entry.type}</strong>
              {actorOf(entry) && <span className="muted"> {t('by', { actor: actorOf(entry)! })}</span>}
              <span className="muted"> · {sourceOf(entry)}</span>
            </div>
            {typeof entry.metadata?.reason === 'string' && (
              <div>
                {t('reason')}: {entry.metadata.reason}
              </div>
            )}
            <details>
              <summary>{t('details')}</summary>
              <pre>{JSON.stringify({ data: entry.data, metadata: entry.metadata, stream: entry.streamName, revision: entry.revision }, null, 2)}</pre>
            </details>
          </li>
        ))}
      </ol>
    </section>
  );
}

function actorOf(entry: HistoryEntry): string | null {
  const actor = entry.metadata?.actor;
  if (typeof actor === 'string') return actor;
  if (actor && typeof actor === 'object') {
    const { name, id } = actor as { name?: unknown; id?: unknown };
    return typeof name === 'string' ? name : typeof id === 'string' ? id : null;
  }
  return null;
}

function sourceOf(entry: HistoryEntry): string {
  const source = entry.metadata?.source;
  if (typeof source === 'string') return source;
  if (entry.streamName.startsWith('calcomwebhook')) return 'calcom';
  if (entry.streamName.startsWith('calcomsync')) return 'sync';
  return 'ledger';
}
