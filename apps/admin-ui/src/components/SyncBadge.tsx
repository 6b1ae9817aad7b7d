import { useI18n } from '../i18n';
import type { CalcomBlock } from '../types';

const KNOWN = new Set(['synced', 'pending', 'failed', 'conflict']);

/** The Cal.com sync state in one word; the word is Cal.com's state, so it is the same in every language. */
export function SyncBadge({ calcom }: { calcom: CalcomBlock | null | undefined }) {
  const { t } = useI18n();
  const status = String(calcom?.syncStatus ?? 'pending');
  const kind = KNOWN.has(status) ? status : 'other';
  return (
    <span className={`sync-badge sync-${kind}`} title={t('syncBadge', { status })} data-sync-status={status}>
      {status}
    </span>
  );
}
