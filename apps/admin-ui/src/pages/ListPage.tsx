import { useInfiniteQuery, useQueryClient } from '@tanstack/react-query';
import { useMemo, useState, type FormEvent } from 'react';
import { get, ifMatch, post, query } from '../api';
import { SelectField, serviceChoices, staffChoices } from '../components/SelectField';
import { SyncBadge } from '../components/SyncBadge';
import { nameOf, useServices, useStaff } from '../data';
import { useI18n } from '../i18n';
import { hasPath, useApiPaths } from '../openapi';
import { refusalText } from '../refusal';
import { Link } from '../router';
import type { Appointment, AppointmentPage } from '../types';
import { fromLocalInput } from '../zoned-time';
import { statusText } from './CalendarPage';

interface Filters {
  from: string;
  to: string;
  staffId: string;
  serviceId: string;
  status: string;
  syncStatus: string;
  search: string;
}

const EMPTY: Filters = { from: '', to: '', staffId: '', serviceId: '', status: '', syncStatus: '', search: '' };
/** Appointments page by page, every filter applied by the API (GET /appointments), so paging stays exact. */
export function ListPage({ canAct }: { canAct: boolean }) {
  const { t, dateTime, timeZone } = useI18n();
  const client = useQueryClient();
  const staff = useStaff();
  const services = useServices();
  const paths = useApiPaths();
  const [draft, setDraft] = useState<Filters>(EMPTY);
  const [filters, setFilters] = useState<Filters>(EMPTY);
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [reason, setReason] = useState('');
  const [said, setSaid] = useState<string | null>(null);

  const serverQuery = {
    from: filters.from ? fromLocalInput(`${filters.from}T00:00`, timeZone)?.toISOString() : undefined,
    to: filters.to ? fromLocalInput(`${filters.to}T23:59`, timeZone)?.toISOString() : undefined,
    staffId: filters.staffId || undefined,
    serviceId: filters.serviceId || undefined,
    status: filters.status || undefined,
    syncStatus: filters.syncStatus || undefined,
    search: filters.search.trim() || undefined,
  };
  const pages = useInfiniteQuery({
    queryKey: ['appointments', 'list', serverQuery],
    queryFn: ({ pageParam }) => get<AppointmentPage>(`/appointments${query({ ...serverQuery, limit: 50, cursor: pageParam })}`),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.nextCursor,
  });
  const shown = useMemo(() => (pages.data?.pages ?? []).flatMap((page) => page.items), [pages.data]);

  const setField = (field: keyof Filters) => (value: string) => setDraft((current) => ({ ...current, [field]: value }));
  const set = (field: keyof Filters) => (event: { target: { value: string } }) => setField(field)(event.target.value);
  const apply = (event: FormEvent) => {
    event.preventDefault();
    setSelected(new Set());
    setFilters(draft);
  };
  const toggle = (id: string) =>
    setSelected((current) => {
      const next = new Set(current);
      if (next.has(id)) next.delete(id);
      else next.add(id);
      return next;
    });

  const bulkCancel = async (event: FormEvent) => {
    event.preventDefault();
    setSaid(null);
    const chosen = shown.filter((item) => selected.has(item.appointmentId));
    let ok = 0;
    let failed = 0;
    const problems: string[] = [];
    if (hasPath(paths.data, '/appointments/bulk')) {
      try {
        const answer = await post<{ results: { appointmentId: string; status: number; error?: { message?: string } }[] }>('/appointments/bulk', {
          commands: chosen.map((item) => ({ appointmentId: item.appointmentId, command: 'cancel', body: { reason }, ifMatch: String(item.version) })),
        });
        for (const result of answer.results) {
          if (result.status < 300) ok++;
          else {
            failed++;
            problems.push(`${result.appointmentId}: ${result.error?.message ?? result.status}`);
          }
        }
      } catch (error) {
        failed = chosen.length;
        problems.push(refusalText(error, t));
      }
    } else {
      for (const item of chosen) {
        try {
          await post(`/appointments/${encodeURIComponent(item.appointmentId)}/cancel`, { reason }, ifMatch(item.version));
          ok++;
        } catch (error) {
          failed++;
          problems.push(`${item.customer.name}: ${refusalText(error, t)}`);
        }
      }
    }
    setSaid([t('bulkResults', { ok, failed }), ...problems].join(' '));
    setSelected(new Set());
    await client.invalidateQueries({ queryKey: ['appointments'] });
  };

  return (
    <section aria-labelledby="list-title">
      <h1 id="list-title">{t('navList')}</h1>
      <form className="filters" onSubmit={apply} aria-label={t('filter')}>
        <label>
          {t('from')}
          <input type="date" value={draft.from} onChange={set('from')} />
        </label>
        <label>
          {t('to')}
          <input type="date" value={draft.to} onChange={set('to')} />
        </label>
        <SelectField label={t('staff')} none={t('allStaff')} value={draft.staffId} choices={staffChoices(staff.data)} onChange={setField('staffId')} />
        <SelectField label={t('service')} none={t('allServices')} value={draft.serviceId} choices={serviceChoices(services.data)} onChange={setField('serviceId')} />
        <label>
          {t('status')}
          <select value={draft.status} onChange={set('status')}>
            <option value="">{t('allStatuses')}</option>
            {['scheduled', 'requested', 'arrived', 'completed', 'no_show', 'rejected', 'cancelled'].map((status) => (
              <option key={status} value={status}>
                {statusText(status, t)}
              </option>
            ))}
          </select>
        </label>
        <label>
          {t('syncStatus')}
          <select value={draft.syncStatus} onChange={set('syncStatus')}>
            <option value="">{t('allSyncStatuses')}</option>
            {['synced', 'pending', 'failed', 'conflict'].map((status) => (
              <option key={status} value={status}>
                {status}
              </option>
            ))}
          </select>
        </label>
        <label>
          {t('search')}
          <input type="search" value={draft.search} onChange={set('search')} placeholder={t('searchHint')} />
        </label>
        <button type="submit">{t('filter')}</button>
      </form>
      {canAct && selected.size > 0 && (
        <form className="bulk-bar" onSubmit={bulkCancel}>
          <span>{t('selected', { count: selected.size })}</span>
          <label>
            {t('reason')}
            <input required maxLength={500} value={reason} onChange={(event) => setReason(event.target.value)} />
          </label>
          <button type="submit">{t('bulkCancel')}</button>
        </form>
      )}
      <p role="status">{said}</p>
      {pages.isError && <p role="alert">{t('loadFailed', { message: pages.error.message })}</p>}
      <table className="table">
        <thead>
          <tr>
            {canAct && (
              <th scope="col">
                <input
                  type="checkbox"
                  aria-label={t('selectAll')}
                  checked={shown.length > 0 && shown.every((item) => selected.has(item.appointmentId))}
                  onChange={(event) =>
                    setSelected(event.target.checked ? new Set(shown.filter((item) => item.status !== 'cancelled').map((item) => item.appointmentId)) : new Set())
                  }
                />
              </th>
            )}
            <th scope="col">{t('when')}</th>
            <th scope="col">{t('customer')}</th>
            <th scope="col">{t('service')}</th>
            <th scope="col">{t('staff')}</th>
            <th scope="col">{t('status')}</th>
            <th scope="col">{t('calcomBox')}</th>
          </tr>
        </thead>
        <tbody>
          {shown.map((item: Appointment) => (
            <tr key={item.appointmentId}>
              {canAct && (
                <td>
                  <input
                    type="checkbox"
                    aria-label={t('select', { name: item.customer.name })}
                    checked={selected.has(item.appointmentId)}
                    onChange={() => toggle(item.appointmentId)}
                    disabled={item.status === 'cancelled'}
                  />
                </td>
              )}
              <td>
                <Link to={`/appointments/${encodeURIComponent(item.appointmentId)}`}>{dateTime(item.startsAt)}</Link>
              </td>
              <td>
                {item.customer.name}
                <br />
                <span className="muted">{item.customer.email}</span>
              </td>
              <td>{nameOf(services.data, item.serviceId, 'serviceId')}</td>
              <td>{nameOf(staff.data, item.staffId, 'staffId')}</td>
              <td>{statusText(item.status, t)}</td>
              <td>
                <SyncBadge calcom={item.calcom} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {!pages.isPending && shown.length === 0 && <p>{t('noAppointments')}</p>}
      {pages.hasNextPage && (
        <button type="button" onClick={() => void pages.fetchNextPage()} disabled={pages.isFetchingNextPage}>
          {t('loadMore')}
        </button>
      )}
    </section>
  );
}
