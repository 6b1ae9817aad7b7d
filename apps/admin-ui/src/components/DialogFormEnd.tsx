import { useI18n } from '../i18n';

/** The end of every dialog form: what went wrong, if anything, then Cancel and Save (disabled while sending). */
export function DialogFormEnd({ problem, busy, onCancel }: { problem: string | null; busy: boolean; onCancel: () => void }) {
  const { t } = useI18n();
  return (
    <>
      {problem && (
        <p role="alert" className="error">
          {problem}
        </p>
      )}
      <div className="dialog-actions">
        <button type="button" onClick={onCancel}>
          {t('cancel')}
        </button>
        <button type="submit" className="primary" disabled={busy}>
          {t('save')}
        </button>
      </div>
    </>
  );
}
