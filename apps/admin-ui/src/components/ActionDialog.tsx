import { useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent, type ReactNode } from 'react';
import { ifMatch, post } from '../api';
import { useI18n } from '../i18n';
import { refusalText } from '../refusal';
import type { Appointment } from '../types';
import { Dialog } from './Dialog';
import { DialogFormEnd } from './DialogFormEnd';

/**
 * One command on one appointment, as a form: decided on the version the person saw when the form opened (If-Match),
 * so someone else's change in between is refused with 412 and said in words, never silently overwritten.
 */
export function ActionDialog({
  title,
  appointment,
  baseVersion,
  command,
  body,
  calcomSays,
  staffName,
  onClose,
  children,
}: {
  title: string;
  appointment: Appointment;
  baseVersion: number;
  command: string;
  body: () => unknown;
  calcomSays?: string | null;
  staffName?: string;
  onClose: (saved: boolean) => void;
  children?: ReactNode;
}) {
  const { t } = useI18n();
  const client = useQueryClient();
  const [problem, setProblem] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const changedMeanwhile = appointment.version !== baseVersion;

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setProblem(null);
    try {
      await post(`/appointments/${encodeURIComponent(appointment.appointmentId)}/${command}`, body(), ifMatch(baseVersion));
      onClose(true);
    } catch (error) {
      setProblem(refusalText(error, t, { staff: staffName }));
    } finally {
      setBusy(false);
      void client.invalidateQueries({ queryKey: ['appointment', appointment.appointmentId] });
      void client.invalidateQueries({ queryKey: ['appointments'] });
    }
  };

  return (
    <Dialog title={title} onClose={() => onClose(false)}>
      <form onSubmit={submit} className="form-grid">
        {children}
        {calcomSays && <p className="calcom-outcome">{calcomSays}</p>}
        {changedMeanwhile && !problem && <p className="notice warn">{t('changedSinceOpened')}</p>}
        <DialogFormEnd problem={problem} busy={busy} onCancel={() => onClose(false)} />
      </form>
    </Dialog>
  );
}
