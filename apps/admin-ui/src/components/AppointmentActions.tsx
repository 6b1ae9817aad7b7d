import { useState } from 'react';
import { calcomOutcomeOfReassign, calcomOutcomeOfServiceChange } from '../calcom-outcome';
import { useI18n } from '../i18n';
import type { MessageKey } from '../messages.en';
import { hasPath, useApiPaths } from '../openapi';
import type { Appointment, Service, Staff } from '../types';
import { fromLocalInput, toLocalInput } from '../zoned-time';
import { ActionDialog } from './ActionDialog';
import { SelectField, serviceChoices, staffChoices } from './SelectField';

/** The desk's actions in the order they are offered, each the path `/appointments/{id}/<action>`, with its label. */
const ACTION_LABELS = {
  reschedule: 'reschedule',
  reassign: 'reassign',
  'change-service': 'changeService',
  cancel: 'cancelAppointment',
  confirm: 'confirmAppointment',
  decline: 'declineAppointment',
  'no-show': 'noShow',
  'check-in': 'checkIn',
  complete: 'complete',
  contact: 'editContact',
} as const satisfies Record<string, MessageKey>;

type Action = keyof typeof ACTION_LABELS;

const ACTIONS = Object.keys(ACTION_LABELS) as Action[];

const CORE = new Set<Action>(['reschedule', 'reassign', 'change-service', 'cancel']);

/** The statuses each desk action applies to (the decider refuses the rest with 409; offering them would only fail). */
function fitsStatus(action: Action, { status, startsAt }: Appointment): boolean {
  switch (action) {
    case 'confirm':
    case 'decline':
      return status === 'requested';
    case 'check-in':
      return status === 'scheduled';
    case 'complete':
      return status === 'scheduled' || status === 'arrived';
    case 'no-show':
      return status === 'no_show' || (['scheduled', 'arrived', 'completed'].includes(status) && Date.parse(startsAt) <= Date.now());
    default:
      return true;
  }
}

/** The form alternative to every drag, and the admin actions the ledger's API offers (read from its OpenAPI document). */
export function AppointmentActions({ appointment, staff, services }: { appointment: Appointment; staff: Staff[]; services: Service[] }) {
  const { t } = useI18n();
  const paths = useApiPaths();
  const [open, setOpen] = useState<{ action: Action; baseVersion: number } | null>(null);
  const [saved, setSaved] = useState(false);
  const offered = ACTIONS.filter((action) => (hasPath(paths.data, `/appointments/{id}/${action}`) || (!paths.data && CORE.has(action))) && fitsStatus(action, appointment));
  if (appointment.status === 'cancelled') return null;
  return (
    <div className="actions" role="group" aria-label={t('actions')}>
      {offered.map((action) => (
        <button key={action} type="button" onClick={() => (setSaved(false), setOpen({ action, baseVersion: appointment.version }))}>
          {action === 'no-show' && appointment.status === 'no_show' ? t('undoNoShow') : t(ACTION_LABELS[action])}
        </button>
      ))}
      <p role="status" className="notice-slot">
        {saved && <span className="notice ok">{t('saved')}</span>}
      </p>
      {open && (
        <ActionForm
          action={open.action}
          title={t(ACTION_LABELS[open.action])}
          appointment={appointment}
          baseVersion={open.baseVersion}
          staff={staff}
          services={services}
          onClose={(wasSaved) => (setOpen(null), setSaved(wasSaved))}
        />
      )}
    </div>
  );
}

function ActionForm({
  action,
  title,
  appointment,
  baseVersion,
  staff,
  services,
  onClose,
}: {
  action: Action;
  title: string;
  appointment: Appointment;
  baseVersion: number;
  staff: Staff[];
  services: Service[];
  onClose: (saved: boolean) => void;
}) {
  const { t, timeZone } = useI18n();
  const [start, setStart] = useState(() => toLocalInput(appointment.startsAt, timeZone));
  const [staffId, setStaffId] = useState(appointment.staffId);
  const [serviceId, setServiceId] = useState(appointment.serviceId);
  const [reason, setReason] = useState('');
  const [absent, setAbsent] = useState(appointment.status !== 'no_show');
  const [contact, setContact] = useState({
    name: appointment.customer.name,
    email: appointment.customer.email,
    phone: appointment.customer.phone ?? '',
    notes: appointment.notes ?? '',
  });
  const withReason = <T extends object>(body: T) => (reason.trim() ? { ...body, reason } : body);
  const service = services.find((item) => item.serviceId === appointment.serviceId);
  const member = (id: string) => staff.find((item) => item.staffId === id);
  const common = { title, appointment, baseVersion, command: action, onClose };
  const reasonField = (required = false) => (
    <label>
      {t('reason')}
      <textarea required={required} maxLength={500} value={reason} onChange={(event) => setReason(event.target.value)} />
    </label>
  );

  switch (action) {
    case 'reschedule':
      return (
        <ActionDialog {...common} body={() => withReason({ startsAt: fromLocalInput(start, timeZone)?.toISOString() })} calcomSays={t('calcomWillReschedule')}>
          <label>
            {t('start')}
            <input type="datetime-local" required step={300} value={start} onChange={(event) => setStart(event.target.value)} />
          </label>
          {reasonField()}
        </ActionDialog>
      );
    case 'reassign':
      return (
        <ActionDialog
          {...common}
          body={() => withReason({ staffId })}
          staffName={member(staffId)?.name}
          calcomSays={staffId !== appointment.staffId ? calcomOutcomeOfReassign(service, member(appointment.staffId), member(staffId), t) : null}
        >
          <SelectField label={t('staff')} value={staffId} choices={staffChoices(staff)} onChange={setStaffId} />
          {reasonField()}
        </ActionDialog>
      );
    case 'change-service':
      return (
        <ActionDialog
          {...common}
          body={() => withReason({ serviceId })}
          calcomSays={
            serviceId !== appointment.serviceId
              ? calcomOutcomeOfServiceChange(
                  services.find((item) => item.serviceId === serviceId),
                  member(appointment.staffId),
                  t,
                )
              : null
          }
        >
          <SelectField label={t('service')} value={serviceId} choices={serviceChoices(services)} onChange={setServiceId} />
          {reasonField()}
        </ActionDialog>
      );
    case 'cancel':
      return (
        <ActionDialog {...common} body={() => ({ reason })} calcomSays={t('calcomWillCancel')}>
          {reasonField(true)}
        </ActionDialog>
      );
    case 'decline':
      return (
        <ActionDialog {...common} body={() => withReason({})}>
          {reasonField()}
        </ActionDialog>
      );
    case 'no-show':
      return (
        <ActionDialog {...common} body={() => ({ absent })}>
          <label className="inline">
            <input type="checkbox" checked={absent} onChange={(event) => setAbsent(event.target.checked)} />
            {t('noShow')}
          </label>
        </ActionDialog>
      );
    case 'contact':
      return (
        <ActionDialog
          {...common}
          body={() => ({ customer: { name: contact.name, email: contact.email, ...(contact.phone ? { phone: contact.phone } : {}) }, notes: contact.notes || null })}
        >
          <label>
            {t('customerName')}
            <input required maxLength={200} value={contact.name} onChange={(event) => setContact({ ...contact, name: event.target.value })} />
          </label>
          <label>
            {t('customerEmail')}
            <input type="email" required maxLength={254} value={contact.email} onChange={(event) => setContact({ ...contact, email: event.target.value })} />
          </label>
          <label>
            {t('customerPhone')}
            <input maxLength={40} value={contact.phone} onChange={(event) => setContact({ ...contact, phone: event.target.value })} />
          </label>
          <label>
            {t('notes')}
            <textarea maxLength={2000} value={contact.notes} onChange={(event) => setContact({ ...contact, notes: event.target.value })} />
          </label>
        </ActionDialog>
      );
    default:
      return <ActionDialog {...common} body={() => ({})} />;
  }
}
