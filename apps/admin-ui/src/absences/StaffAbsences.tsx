import { useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { post } from '../api';
import { Dialog } from '../components/Dialog';
import { useI18n } from '../i18n';
import { refusalText } from '../refusal';
import type { Staff } from '../types';
import { useAbsenceText } from './absence-messages';
import { absencesKey, useAbsences } from './absence-data';
import type { Absence } from './absence-types';
import { ReportAbsenceDialog } from './ReportAbsenceDialog';
import { DialogFormEnd } from '../components/DialogFormEnd';

/** One staff member's absences; for admins, "Report absence" and "Cancel absence" (which asks first). */
export function StaffAbsences({ member, canAct }: { member: Staff; canAct: boolean }) {
  const a = useAbsenceText();
  const { t, dateTime } = useI18n();
  const absences = useAbsences(member.staffId);
  const [reporting, setReporting] = useState(false);
  const [cancelling, setCancelling] = useState<Absence | null>(null);
  const titleId = `absences-${member.staffId}`;
  return (
    <section aria-labelledby={titleId} className="staff-absences" data-staff-id={member.staffId}>
      <h3 id={titleId}>{a('absencesOf', { staff: member.name })}</h3>
      {absences.isError && <p className="error">{t('loadFailed', { message: absences.error.message })}</p>}
      {absences.data?.length === 0 && <p className="muted">{a('noAbsences')}</p>}
      {!!absences.data?.length && (
        <table className="table">
          <thead>
            <tr>
              <th scope="col">{a('from')}</th>
              <th scope="col">{a('to')}</th>
              <th scope="col">{a('reason')}</th>
              <th scope="col">{a('plan')}</th>
              <th scope="col">{a('state')}</th>
              {canAct && <th scope="col">{/* the row's action */}</th>}
            </tr>
          </thead>
          <tbody>
            {absences.data.map((absence) => (
              <tr key={absence.absenceId} data-absence-id={absence.absenceId}>
                <td>{dateTime(absence.from)}</td>
                <td>{dateTime(absence.to)}</td>
                <td>{absence.reason}</td>
                <td>{a(absence.plan === 'reassign' ? 'planReassign' : 'planCancel')}</td>
                <td>{a(absence.cancelled ? 'cancelled' : 'active')}</td>
                {canAct && (
                  <td>
                    {!absence.cancelled && (
                      <button type="button" onClick={() => setCancelling(absence)} aria-label={`${a('cancelAbsence')}: ${dateTime(absence.from)} – ${dateTime(absence.to)}`}>
                        {a('cancelAbsence')}
                      </button>
                    )}
                  </td>
                )}
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {canAct && (
        <button type="button" onClick={() => setReporting(true)} aria-label={a('reportAbsenceFor', { staff: member.name })}>
          {a('reportAbsence')}
        </button>
      )}
      {reporting && <ReportAbsenceDialog member={member} onClose={() => setReporting(false)} />}
      {cancelling && <CancelAbsenceDialog member={member} absence={cancelling} onClose={() => setCancelling(null)} />}
    </section>
  );
}

function CancelAbsenceDialog({ member, absence, onClose }: { member: Staff; absence: Absence; onClose: () => void }) {
  const a = useAbsenceText();
  const { t, dateTime } = useI18n();
  const client = useQueryClient();
  const [problem, setProblem] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const confirm = async () => {
    setBusy(true);
    setProblem(null);
    try {
      await post(`/staff/${encodeURIComponent(member.staffId)}/absences/${encodeURIComponent(absence.absenceId)}/cancel`, {});
      await client.invalidateQueries({ queryKey: absencesKey(member.staffId) });
      onClose();
    } catch (error) {
      setProblem(refusalText(error, t));
    } finally {
      setBusy(false);
    }
  };
  return (
    <Dialog title={a('cancelAbsence')} onClose={onClose}>
      <p>{a('cancelAbsenceQuestion', { staff: member.name, from: dateTime(absence.from), to: dateTime(absence.to) })}</p>
      <DialogFormEnd problem={problem} busy={busy} onCancel={onClose} cancelLabel={a('keepAbsence')} confirmLabel={a('cancelAbsenceConfirm')} onConfirm={() => void confirm()} />
    </Dialog>
  );
}
