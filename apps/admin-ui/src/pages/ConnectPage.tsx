import { useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { ApiError } from '../api';
import {
  connect,
  CONNECT_STATUS_KEY,
  type ConnectPlan,
  type ConnectProgress,
  type ConnectResult,
  type ConnectTarget,
  disconnect,
  planConnect,
  rotateSecret,
  useConnectStatus,
} from '../calcom-connect';
import { ConnectPlanView, planChangesNothing, UnmappedList } from '../components/ConnectPlanView';
import { Dialog } from '../components/Dialog';
import { useI18n, type I18n } from '../i18n';
import { refusalText } from '../refusal';

/**
 * Connecting an existing Cal.com account (issue 14): step 1 shows the plan and changes nothing; step 2 carries it
 * out (catalog, webhook, bookings in batches with progress, a drift check). Auditors see the status only.
 */
export function ConnectPage({ canAct }: { canAct: boolean }) {
  const { t } = useI18n();
  const status = useConnectStatus();
  return (
    <section aria-labelledby="connect-title">
      <h1 id="connect-title">{t('connectTitle')}</h1>
      {status.isError && <p role="alert">{t('loadFailed', { message: status.error.message })}</p>}
      {status.data && <StatusLine status={status.data} />}
      {canAct && status.data?.calcomConfigured && <Wizard linked={status.data.linked} />}
    </section>
  );
}

function StatusLine({ status }: { status: NonNullable<ReturnType<typeof useConnectStatus>['data']> }) {
  const { t, dateTime } = useI18n();
  if (!status.calcomConfigured) return <p className="notice warn">{t('connectStatusNoCalcom')}</p>;
  if (!status.linked) return <p className="notice">{t('connectStatusNotLinked')}</p>;
  return (
    <ul className="plain-list" aria-label={t('connectTitle')}>
      {status.subscriptions.map((subscription) => (
        <li key={subscription.subscriptionId} className="notice">
          {t('connectStatusLinked', { id: subscription.subscriptionId, url: subscription.subscriberUrl })}
          {subscription.previousSecretAcceptedUntil && <> {t('connectPreviousSecret', { time: dateTime(subscription.previousSecretAcceptedUntil) })}</>}
        </li>
      ))}
    </ul>
  );
}

type Confirming = 'rotate' | 'disconnect' | null;

function Wizard({ linked }: { linked: boolean }) {
  const { t } = useI18n();
  const client = useQueryClient();
  const [publicUrl, setPublicUrl] = useState(() => location.origin);
  const [daysBack, setDaysBack] = useState('0');
  const [plan, setPlan] = useState<ConnectPlan | null>(null);
  const [progress, setProgress] = useState<ConnectProgress | null>(null);
  const [result, setResult] = useState<(ConnectResult & { plan: ConnectPlan }) | null>(null);
  const [busy, setBusy] = useState(false);
  const [said, setSaid] = useState<string | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const [confirming, setConfirming] = useState<Confirming>(null);
  const target = (): ConnectTarget => ({ publicUrl, daysBack: Math.max(0, Math.trunc(Number(daysBack) || 0)) });

  const run = async (work: () => Promise<void>, failure: FailureKey = 'connectFailed') => {
    setBusy(true);
    setProblem(null);
    setSaid(null);
    try {
      await work();
    } catch (error) {
      setProblem(connectProblem(error, t, failure));
    } finally {
      setBusy(false);
      setProgress(null);
      await client.invalidateQueries({ queryKey: CONNECT_STATUS_KEY });
    }
  };
  const showPlan = (event: FormEvent) => {
    event.preventDefault();
    setResult(null);
    void run(async () => setPlan(await planConnect(target())), 'planFailed');
  };
  const carryOut = (planned: ConnectPlan) =>
    run(async () => {
      const done = await connect(target(), planned.bookings.toAdopt, setProgress);
      setResult({ ...done, plan: planned });
      setPlan(await planConnect(target()));
      void client.invalidateQueries();
    });
  const confirmed = (action: Exclude<Confirming, null>) => {
    setConfirming(null);
    void run(async () => {
      if (action === 'rotate') {
        await rotateSecret(target());
        setSaid(t('rotated'));
      } else {
        setSaid(t('disconnected', { count: (await disconnect(target())).removed.length }));
        setPlan(null);
        setResult(null);
      }
    }, 'actionFailed');
  };

  return (
    <>
      <form className="form-grid connect-form" onSubmit={showPlan}>
        <label>
          {t('publicUrl')}
          <input type="url" value={publicUrl} onChange={(event) => setPublicUrl(event.target.value)} aria-describedby="public-url-hint" />
        </label>
        <p id="public-url-hint" className="muted">
          {t('publicUrlHint')}
        </p>
        <label>
          {t('daysBack')}
          <input type="number" min={0} max={3650} step={1} value={daysBack} onChange={(event) => setDaysBack(event.target.value)} aria-describedby="days-back-hint" />
        </label>
        <p id="days-back-hint" className="muted">
          {t('daysBackHint')}
        </p>
        <div className="dialog-actions">
          <button type="submit" disabled={busy}>
            {busy && !progress ? t('planning') : t('showPlan')}
          </button>
          {linked && (
            <>
              <button type="button" disabled={busy} onClick={() => setConfirming('rotate')}>
                {t('rotateSecret')}
              </button>
              <button type="button" disabled={busy} onClick={() => setConfirming('disconnect')}>
                {t('disconnect')}
              </button>
            </>
          )}
        </div>
      </form>
      {problem && (
        <p role="alert" className="error">
          {problem}
        </p>
      )}
      <p role="status">{said}</p>
      {progress && <ProgressLine progress={progress} />}
      {result && <ResultSummary result={result} />}
      {plan && (
        <section aria-labelledby="plan-title" className="card">
          <h2 id="plan-title">{t('showPlan')}</h2>
          {planChangesNothing(plan) ? <p className="notice">{t('planNothingToDo')}</p> : <p className="notice">{t('planNothingChanged')}</p>}
          <ConnectPlanView plan={plan} />
          {!planChangesNothing(plan) && (
            <div className="dialog-actions">
              <button type="button" className="primary" disabled={busy} onClick={() => void carryOut(plan)}>
                {t('connectNow')}
              </button>
            </div>
          )}
        </section>
      )}
      {confirming && (
        <Dialog title={t(confirming === 'rotate' ? 'rotateSecret' : 'disconnect')} onClose={() => setConfirming(null)}>
          <p>{t(confirming === 'rotate' ? 'rotateSecretConfirm' : 'disconnectConfirm')}</p>
          <div className="dialog-actions">
            <button type="button" onClick={() => setConfirming(null)}>
              {t('cancel')}
            </button>
            <button type="button" className="primary" onClick={() => confirmed(confirming)}>
              {t(confirming === 'rotate' ? 'rotateSecret' : 'disconnect')}
            </button>
          </div>
        </Dialog>
      )}
    </>
  );
}

function ProgressLine({ progress }: { progress: ConnectProgress }) {
  const { t } = useI18n();
  if (progress.step !== 'bookings') {
    const text = { catalog: t('connectStepCatalog'), webhook: t('connectStepWebhook'), drift: t('connectStepDrift') }[progress.step];
    return <p role="status">{text}</p>;
  }
  return (
    <div className="connect-progress">
      <label>
        {t('connectProgress')}
        <progress max={Math.max(progress.total, 1)} value={progress.done} />
      </label>
      <p role="status">{t('connectStepBookings', { done: progress.done, total: progress.total })}</p>
    </div>
  );
}

function ResultSummary({ result }: { result: ConnectResult & { plan: ConnectPlan } }) {
  const { t } = useI18n();
  return (
    <section aria-labelledby="connect-result" className="card">
      <h2 id="connect-result">{t('connectDone', { adopted: result.adopted, unmapped: result.unmapped.length })}</h2>
      <UnmappedList unmapped={result.unmapped} hostName={(userId) => result.plan.catalog.staff.find((member) => member.calcomUserId === userId)?.name ?? String(userId)} />
      <p>{result.drift.items.length === 0 ? t('noDrift') : t('connectDrift', { count: result.drift.items.length })}</p>
      {result.drift.items.length > 0 && (
        <ul className="plain-list">
          {result.drift.items.map((item) => (
            <li key={item.id}>
              <span className="kind">{item.kind}</span> {item.summary}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

/** Cal.com failing is said as such; any other refusal in the words every screen uses; a stop says what stays. */
type FailureKey = 'connectFailed' | 'planFailed' | 'actionFailed';

function connectProblem(error: unknown, t: I18n['t'], failure: FailureKey): string {
  if (error instanceof ApiError && error.code === 'CALCOM_UNAVAILABLE') return t(failure, { message: t('calcomUnavailable', { message: error.message }) });
  const fields = error instanceof ApiError && error.code === 'VALIDATION_FAILED' ? refusedFields(error.details, t) : [];
  if (fields.length > 0) return t(failure, { message: fields.join('; ') });
  return t(failure, { message: refusalText(error, t) });
}

const FIELD_LABELS: Record<string, 'publicUrl' | 'daysBack'> = { publicUrl: 'publicUrl', daysBack: 'daysBack' };

/** `{fields: [{field, problems}]}` of a 400, named as the form names them. */
function refusedFields(details: unknown, t: I18n['t']): string[] {
  const fields = (details as { fields?: unknown } | null)?.fields;
  if (!Array.isArray(fields)) return [];
  return fields.map((entry: { field?: unknown; problems?: unknown }) => {
    const field = typeof entry.field === 'string' ? entry.field : '?';
    const problems = Array.isArray(entry.problems) ? entry.problems.filter((problem) => typeof problem === 'string').join(', ') : '';
    return `${Object.hasOwn(FIELD_LABELS, field) ? t(FIELD_LABELS[field]) : field}: ${problems}`;
  });
}
