import { useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { post } from '../api';
import { useServices, useStaff } from '../data';
import { useI18n } from '../i18n';
import { refusalText } from '../refusal';
import type { CommandAnswer } from '../types';
import { fromLocalInput, toLocalInput } from '../zoned-time';
import { Dialog } from './Dialog';
import { DialogFormEnd } from './DialogFormEnd';
import { SelectField, serviceChoices, staffChoices } from './SelectField';

/** POST /appointments from a free slot or the "New appointment" button; the id is made here so a retry is harmless. */
export function NewAppointmentDialog({ startsAt, staffId, onDone }: { startsAt: Date; staffId?: string; onDone: (notice: { kind: 'ok' | 'error'; text: string } | null) => void }) {
  const { t, timeZone } = useI18n();
  const client = useQueryClient();
  const staff = useStaff();
  const services = useServices();
  const [appointmentId] = useState(() => crypto.randomUUID());
  const [form, setForm] = useState({ serviceId: '', staffId: staffId ?? '', start: toLocalInput(startsAt, timeZone), name: '', email: '' });
  const [problem, setProblem] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const servicesForStaff = (services.data ?? []).filter(
    (service) => !form.staffId || form.staffId in service.calcomEventTypeIds || Object.keys(service.calcomEventTypeIds).length === 0,
  );
  const setField = (field: keyof typeof form) => (value: string) => setForm((current) => ({ ...current, [field]: value }));
  const set = (field: keyof typeof form) => (event: { target: { value: string } }) => setField(field)(event.target.value);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const start = fromLocalInput(form.start, timeZone);
    if (!start) return setProblem(t('refusedOther', { message: t('start') }));
    setBusy(true);
    setProblem(null);
    try {
      await post<CommandAnswer>('/appointments', {
        appointmentId,
        serviceId: form.serviceId,
        staffId: form.staffId,
        startsAt: start.toISOString(),
        customer: { name: form.name, email: form.email, timeZone },
      });
      await client.invalidateQueries({ queryKey: ['appointments'] });
      onDone({ kind: 'ok', text: t('saved') });
    } catch (error) {
      setProblem(refusalText(error, t, { staff: staff.data?.find((member) => member.staffId === form.staffId)?.name }));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Dialog title={t('newAppointment')} onClose={() => onDone(null)}>
      <form onSubmit={submit} className="form-grid">
        <SelectField label={t('staff')} required none="" value={form.staffId} choices={staffChoices(staff.data)} onChange={setField('staffId')} />
        <SelectField
          label={t('service')}
          required
          none=""
          value={form.serviceId}
          choices={serviceChoices(servicesForStaff, (service) => `${service.name} (${t('duration', { minutes: service.durationMinutes })})`)}
          onChange={setField('serviceId')}
        />
        <label>
          {t('start')}
          <input type="datetime-local" required step={300} value={form.start} onChange={set('start')} />
        </label>
        <label>
          {t('customerName')}
          <input required maxLength={200} value={form.name} onChange={set('name')} autoComplete="off" />
        </label>
        <label>
          {t('customerEmail')}
          <input type="email" required maxLength={254} value={form.email} onChange={set('email')} autoComplete="off" />
        </label>
        <DialogFormEnd problem={problem} busy={busy} onCancel={() => onDone(null)} />
      </form>
    </Dialog>
  );
}
