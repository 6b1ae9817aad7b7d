import { nameOf, useServices, useStaff } from '../data';
import { useI18n } from '../i18n';
import { Link } from '../router';
import { useAbsenceText, type AbsenceText } from './absence-messages';
import type { PlanStep, StepOutcome } from './absence-types';

/** Every affected appointment with what the plan does to it and why; with outcomes once carried out. */
export function PlanSteps({ title, steps }: { title: string; steps: (PlanStep & { outcome?: StepOutcome })[] }) {
  const a = useAbsenceText();
  const { dateTime } = useI18n();
  const staff = useStaff();
  const services = useServices();
  const withOutcome = steps.some((step) => step.outcome);
  return (
    <section aria-label={title} className="absence-plan">
      <h3>{title}</h3>
      {steps.length === 0 ? (
        <p>{a('noAffected')}</p>
      ) : (
        <table className="table">
          <thead>
            <tr>
              <th scope="col">{a('appointment')}</th>
              <th scope="col">{a('time')}</th>
              <th scope="col">{a(withOutcome ? 'step' : 'whatHappens')}</th>
              <th scope="col">{a('why')}</th>
              {withOutcome && <th scope="col">{a('outcome')}</th>}
            </tr>
          </thead>
          <tbody>
            {steps.map((step) => (
              <tr key={step.appointmentId} data-appointment-id={step.appointmentId} data-action={step.action} data-to-staff-id={step.toStaffId ?? ''}>
                <td>
                  <Link to={`/appointments/${encodeURIComponent(step.appointmentId)}`}>{nameOf(services.data, step.serviceId, 'serviceId')}</Link>{' '}
                  <span className="muted mono">{step.appointmentId.slice(0, 8)}</span>
                </td>
                <td>{dateTime(step.startsAt)}</td>
                <td>{stepInWords(step, a, (staffId) => nameOf(staff.data, staffId, 'staffId'))}</td>
                <td className="muted">{step.why}</td>
                {withOutcome && <td className={step.outcome && step.outcome.status < 300 ? '' : 'error'}>{step.outcome ? outcomeInWords(step.outcome, a) : ''}</td>}
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

export const stepInWords = (step: PlanStep, a: AbsenceText, staffName: (staffId: string) => string): string =>
  step.action === 'reassign' ? a('stepReassign', { staff: staffName(step.toStaffId) }) : a('stepCancel');

const outcomeInWords = (outcome: StepOutcome, a: AbsenceText): string =>
  outcome.status < 300 ? a('outcomeDone') : a('outcomeRefused', { message: outcome.error?.message ?? String(outcome.status) });
