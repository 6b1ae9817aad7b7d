import { useQueryClient } from '@tanstack/react-query';
import { useId, useState, type FormEvent } from 'react';
import { ApiError, post } from '../api';
import { Dialog } from '../components/Dialog';
import { nameOf, useStaff } from '../data';
import { useI18n } from '../i18n';
import { refusalText } from '../refusal';
import type { Staff } from '../types';
import { fromLocalInput, toLocalInput } from '../zoned-time';
import { useAbsenceText, type AbsenceText } from './absence-messages';
import type { AbsenceRequestBody, DryRunAnswer, PlanChanged, PlanStep, RecordedAnswer } from './absence-types';
import { PlanSteps, stepInWords } from './PlanSteps';
import './absences.css';
import { DialogProblem } from '../components/DialogFormEnd';

type Stage = { kind: 'form' } | { kind: 'planned'; plan: DryRunAnswer; changed: PlanChanged | null } | { kind: 'done'; answer: RecordedAnswer };

/**
 * A sick day in three steps: the form (times on the salon's clock), "Show plan" (the dry run: every affected
 * appointment and what will happen to it), "Carry out" (the real call with that plan's fingerprint). When the calendar
 * moved on in between, the ledger refuses with the differences and the new plan, which is shown to be carried out instead.
 */
export function ReportAbsenceDialog({ member, onClose }: { member: Staff; onClose: () => void }) {
  const a = useAbsenceText();
  const { t, timeZone, dateTime } = useI18n();
  const client = useQueryClient();
  const staff = useStaff();
  const [absenceId] = useState(() => crypto.randomUUID());
  // The plan's label names the <select> by id: wrapped, its name would also carry the chosen option's text.
  const planFieldId = useId();
  const [form, setForm] = useState(() => {
    const start = new Date(Math.ceil(Date.now() / 3_600_000) * 3_600_000);
    return { from: toLocalInput(start, timeZone), to: toLocalInput(new Date(start.getTime() + 8 * 3_600_000), timeZone), reason: '', plan: 'reassign' as 'reassign' | 'cancel' };
  });
  const [colleagues, setColleagues] = useState<string[]>([]);
  const [stage, setStage] = useState<Stage>({ kind: 'form' });
  const [problem, setProblem] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const others = (staff.data ?? []).filter((other) => other.staffId !== member.staffId);
  const staffName = (staffId: string) => nameOf(staff.data, staffId, 'staffId');
  const path = `/staff/${encodeURIComponent(member.staffId)}/absences`;

  const requestBody = (): AbsenceRequestBody | null => {
    const from = fromLocalInput(form.from, timeZone);
    const to = fromLocalInput(form.to, timeZone);
    if (!from || !to || from >= to) return null;
    return {
      absenceId,
      from: from.toISOString(),
      to: to.toISOString(),
      reason: form.reason,
      plan: form.plan,
      ...(form.plan === 'reassign' && colleagues.length > 0 ? { reassignTo: colleagues } : {}),
    };
  };

  const edit = (change: () => void) => {
    change();
    if (stage.kind === 'planned') setStage({ kind: 'form' });
  };

  const showPlan = async (event: FormEvent) => {
    event.preventDefault();
    const body = requestBody();
    if (!body) return setProblem(a('toBeforeFrom'));
    await sending(async () => setStage({ kind: 'planned', plan: await post<DryRunAnswer>(`${path}?dryRun=true`, body), changed: null }));
  };

  const carryOut = async (plan: DryRunAnswer) => {
    const body = requestBody();
    if (!body) return setProblem(a('toBeforeFrom'));
    await sending(async () => {
      try {
        const answer = await post<RecordedAnswer>(path, { ...body, planFingerprint: plan.planFingerprint });
        setStage({ kind: 'done', answer });
      } catch (error) {
        if (!(error instanceof ApiError && error.code === 'ABSENCE_PLAN_CHANGED')) throw error;
        const changed = error.details as PlanChanged;
        setStage({ kind: 'planned', plan: { planFingerprint: changed.planFingerprint, steps: changed.plan }, changed });
      } finally {
        void client.invalidateQueries({ queryKey: ['catalog', 'absences', member.staffId] });
        void client.invalidateQueries({ queryKey: ['appointments'] });
        void client.invalidateQueries({ queryKey: ['appointment'] });
      }
    });
  };

  const sending = async (work: () => Promise<void>) => {
    setBusy(true);
    setProblem(null);
    try {
      await work();
    } catch (error) {
      setProblem(absenceRefusal(error, a, t, staffName));
    } finally {
      setBusy(false);
    }
  };

  const toggleColleague = (staffId: string, chosen: boolean) =>
    edit(() => setColleagues((current) => (chosen ? [...current.filter((id) => id !== staffId), staffId] : current.filter((id) => id !== staffId))));

  const done = stage.kind === 'done';
  return (
    <Dialog title={a('reportAbsenceFor', { staff: member.name })} onClose={onClose}>
      <form onSubmit={showPlan} className="form-grid absence-form">
        <fieldset disabled={done} className="absence-fields">
          <label>
            {a('from')}
            <input type="datetime-local" required step={300} value={form.from} onChange={(event) => edit(() => setForm({ ...form, from: event.target.value }))} />
          </label>
          <label>
            {a('to')}
            <input type="datetime-local" required step={300} value={form.to} onChange={(event) => edit(() => setForm({ ...form, to: event.target.value }))} />
          </label>
          <label>
            {a('reason')}
            <input required maxLength={500} value={form.reason} onChange={(event) => edit(() => setForm({ ...form, reason: event.target.value }))} autoComplete="off" />
          </label>
          <div className="field">
            <label htmlFor={planFieldId}>{a('plan')}</label>
            <select id={planFieldId} value={form.plan} onChange={(event) => edit(() => setForm({ ...form, plan: event.target.value as 'reassign' | 'cancel' }))}>
              <option value="reassign">{a('planReassign')}</option>
              <option value="cancel">{a('planCancel')}</option>
            </select>
          </div>
          {form.plan === 'reassign' && (
            <fieldset className="colleagues">
              <legend>{a('colleagues')}</legend>
              {others.map((other) => (
                <label key={other.staffId} className="check">
                  <input type="checkbox" checked={colleagues.includes(other.staffId)} onChange={(event) => toggleColleague(other.staffId, event.target.checked)} />
                  {colleagues.includes(other.staffId) ? `${colleagues.indexOf(other.staffId) + 1}. ` : ''}
                  {other.name}
                </label>
              ))}
              {colleagues.length > 0 && <p className="muted">{a('colleagueOrder', { names: colleagues.map(staffName).join(', ') })}</p>}
            </fieldset>
          )}
        </fieldset>
        {stage.kind === 'planned' && stage.changed && <PlanChangedNotice changed={stage.changed} a={a} when={dateTime} staffName={staffName} />}
        {stage.kind === 'planned' && <PlanSteps title={a('planTitle')} steps={stage.plan.steps} />}
        {stage.kind === 'done' && (
          <>
            <p className="notice ok">{a('absenceRecorded')}</p>
            <PlanSteps title={a('outcomeTitle')} steps={stage.answer.steps} />
          </>
        )}
        <DialogProblem problem={problem} />
        <div className="dialog-actions">
          <button type="button" onClick={onClose}>
            {done ? a('close') : t('cancel')}
          </button>
          {!done && (
            <button type="submit" className={stage.kind === 'planned' ? '' : 'primary'} disabled={busy}>
              {a('showPlan')}
            </button>
          )}
          {stage.kind === 'planned' && (
            <button type="button" className="primary" disabled={busy} onClick={() => void carryOut(stage.plan)}>
              {a('carryOut')}
            </button>
          )}
        </div>
      </form>
    </Dialog>
  );
}

/** ABSENCE_PLAN_CHANGED in words: appointment by appointment, what the shown plan said and what it says now. */
function PlanChangedNotice({ changed, a, when, staffName }: { changed: PlanChanged; a: AbsenceText; when: (instant: string) => string; staffName: (staffId: string) => string }) {
  const words = (step: PlanStep) => stepInWords(step, a, staffName);
  return (
    <div role="alert" className="notice warn">
      <p>{a('planChanged')}</p>
      <ul>
        {changed.differences.map(({ appointmentId, planned, now }) => {
          const appointment = appointmentId.slice(0, 8);
          const time = when((now ?? planned)!.startsAt);
          return (
            <li key={appointmentId}>
              {!planned
                ? a('planChangedAppeared', { appointment, time, now: words(now!) })
                : !now
                  ? a('planChangedGone', { appointment, time, planned: words(planned) })
                  : a('planChangedStep', { appointment, time, planned: words(planned), now: words(now) })}
            </li>
          );
        })}
      </ul>
      <p>{a('newPlanOffered')}</p>
    </div>
  );
}

function absenceRefusal(error: unknown, a: AbsenceText, t: ReturnType<typeof useI18n>['t'], staffName: (staffId: string) => string): string {
  if (error instanceof ApiError && error.code === 'STAFF_ABSENT') {
    const details = (error.details ?? {}) as { staffId?: unknown };
    return a('refusedStaffAbsent', { staff: typeof details.staffId === 'string' ? staffName(details.staffId) : '?' });
  }
  return refusalText(error, t);
}
