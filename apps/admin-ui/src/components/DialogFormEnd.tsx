import { useI18n } from '../i18n';

/** What went wrong in a dialog, said where a screen reader announces it. */
export function DialogProblem({ problem }: { problem: string | null }) {
  if (!problem) return null;
  return (
    <p role="alert" className="error">
      {problem}
    </p>
  );
}

/**
 * The end of every dialog form: what went wrong, if anything, then Cancel and Save (disabled while sending). A dialog
 * that asks a question names its two buttons and confirms with `onConfirm` instead of submitting a form.
 */
export function DialogFormEnd({
  problem,
  busy,
  onCancel,
  cancelLabel,
  confirmLabel,
  onConfirm,
}: {
  problem: string | null;
  busy: boolean;
  onCancel: () => void;
  cancelLabel?: string;
  confirmLabel?: string;
  onConfirm?: () => void;
}) {
  const { t } = useI18n();
  return (
    <>
      <DialogProblem problem={problem} />
      <div className="dialog-actions">
        <button type="button" onClick={onCancel}>
          {cancelLabel ?? t('cancel')}
        </button>
        <button type={onConfirm ? 'button' : 'submit'} className="primary" disabled={busy} onClick={onConfirm}>
          {confirmLabel ?? t('save')}
        </button>
      </div>
    </>
  );
}
