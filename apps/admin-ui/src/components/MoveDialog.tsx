import { useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { ifMatch, post, request } from '../api';
import { calcomOutcomeOfReassign } from '../calcom-outcome';
import { useI18n } from '../i18n';
import { refusalText } from '../refusal';
import type { Appointment, CommandAnswer, Service, Staff } from '../types';
import { Dialog } from './Dialog';

export interface ProposedMove {
  appointment: Appointment;
  startsAt: string;
  staffId: string;
}

/**
 * A drop on the calendar, before anything is sent: what changes and what Cal.com will do. The version is read fresh
 * when the dialog opens, and every command carries it as If-Match, so a change made meanwhile is refused (412).
 */
export function MoveDialog({
  move,
  staff,
  services,
  onDone,
}: {
  move: ProposedMove;
  staff: Staff[];
  services: Service[];
  onDone: (notice: { kind: 'ok' | 'error'; text: string }) => void;
}) {
  const { t, dateTime } = useI18n();
  const client = useQueryClient();
  const [version, setVersion] = useState<number | null>(null);
  const [busy, setBusy] = useState(false);
  const { appointment } = move;
  const id = encodeURIComponent(appointment.appointmentId);
  const reassigning = move.staffId !== appointment.staffId;
  const rescheduling = Date.parse(move.startsAt) !== Date.parse(appointment.startsAt);
  const service = services.find((item) => item.serviceId === appointment.serviceId);
  const fromStaff = staff.find((member) => member.staffId === appointment.staffId);
  const toStaff = staff.find((member) => member.staffId === move.staffId);

  useEffect(() => {
    let current = true;
    request<Appointment>('GET', `/appointments/${id}`)
      .then(({ body }) => current && setVersion(body.version))
      .catch(() => current && setVersion(appointment.version));
    return () => {
      current = false;
    };
  }, [id, appointment.version]);

  const send = async () => {
    if (version === null) return;
    setBusy(true);
    try {
      let at = version;
      if (reassigning) at = (await post<CommandAnswer>(`/appointments/${id}/reassign`, { staffId: move.staffId }, ifMatch(at))).version;
      if (rescheduling) await post<CommandAnswer>(`/appointments/${id}/reschedule`, { startsAt: move.startsAt }, ifMatch(at));
      onDone({ kind: 'ok', text: t('saved') });
    } catch (error) {
      onDone({ kind: 'error', text: refusalText(error, t, { staff: toStaff?.name }) });
    } finally {
      await client.invalidateQueries({ queryKey: ['appointments'] });
      await client.invalidateQueries({ queryKey: ['appointment', appointment.appointmentId] });
    }
  };

  return (
    <Dialog title={t('moveTitle')} onClose={() => onDone({ kind: 'ok', text: '' })}>
      <p>{t('moveWhat', { customer: appointment.customer.name, service: service?.name ?? appointment.serviceId })}</p>
      <p>{t('moveFrom', { time: dateTime(appointment.startsAt), staff: fromStaff?.name ?? appointment.staffId })}</p>
      <p>
        <strong>{t('moveTo', { time: dateTime(move.startsAt), staff: toStaff?.name ?? move.staffId })}</strong>
      </p>
      <ul className="calcom-outcome" aria-label={t('calcomBox')}>
        {reassigning && <li>{calcomOutcomeOfReassign(service, fromStaff, toStaff, t)}</li>}
        {rescheduling && <li>{t('calcomWillReschedule')}</li>}
      </ul>
      <div className="dialog-actions">
        <button type="button" onClick={() => onDone({ kind: 'ok', text: '' })} disabled={busy}>
          {t('cancel')}
        </button>
        <button type="button" className="primary" onClick={() => void send()} disabled={busy || version === null}>
          {t('confirm')}
        </button>
      </div>
    </Dialog>
  );
}
