import { useMemo, useState } from 'react';
import { Calendar, Views, type View } from 'react-big-calendar';
import type { EventInteractionArgs } from 'react-big-calendar/lib/addons/dragAndDrop';
import { addDays, localizer, weekStart, withDragAndDrop, type CalendarEvent, type StaffColumn } from '../calendar-setup';
import { MoveDialog, type ProposedMove } from '../components/MoveDialog';
import { NewAppointmentDialog } from '../components/NewAppointmentDialog';
import { SyncBadge } from '../components/SyncBadge';
import { nameOf, useAppointmentsBetween, useServices, useStaff } from '../data';
import { useI18n } from '../i18n';
import { navigate } from '../router';
import type { Appointment } from '../types';
import { fromWall, toWall } from '../zoned-time';

const DragAndDropCalendar = withDragAndDrop(Calendar<CalendarEvent, StaffColumn>);

/** The home screen: the salon's day or week, one column per staff member; drag to move, click a free slot to book. */
export function CalendarPage({ canAct }: { canAct: boolean }) {
  const { t, timeZone, language, date: formatDate } = useI18n();
  const [view, setView] = useState<View>(() => (new URLSearchParams(location.search).get('view') === 'week' ? Views.WEEK : Views.DAY));
  const [wallDate, setWallDate] = useState(() => dayFromAddress() ?? toWall(new Date(), timeZone));
  const [move, setMove] = useState<ProposedMove | null>(null);
  const [newAt, setNewAt] = useState<{ startsAt: Date; staffId?: string } | null>(null);
  const [notice, setNotice] = useState<{ kind: 'ok' | 'error'; text: string } | null>(null);

  const wallFrom = view === Views.WEEK ? weekStart(wallDate) : startOfWallDay(wallDate);
  const wallTo = addDays(wallFrom, view === Views.WEEK ? 7 : 1);
  const from = fromWall(wallFrom, timeZone);
  const to = fromWall(wallTo, timeZone);
  const appointments = useAppointmentsBetween(from, to);
  const staff = useStaff();
  const services = useServices();

  const byId = useMemo(() => new Map((appointments.data ?? []).map((item) => [item.appointmentId, item])), [appointments.data]);
  const events = useMemo<CalendarEvent[]>(
    () =>
      (appointments.data ?? [])
        .filter((item) => item.status !== 'cancelled')
        .map((item) => ({ id: item.appointmentId, start: toWall(item.startsAt, timeZone), end: toWall(item.endsAt, timeZone), resourceId: item.staffId })),
    [appointments.data, timeZone],
  );
  const columns = useMemo<StaffColumn[]>(() => (staff.data ?? []).map((member) => ({ resourceId: member.staffId, title: member.name })), [staff.data]);
  const scrollTo = useMemo(() => {
    const earliest = events.reduce<Date | null>((soonest, event) => (!soonest || event.start < soonest ? event.start : soonest), null);
    const at = new Date(wallFrom);
    at.setHours(Math.max(0, (earliest?.getHours() ?? 8) - 1), 0, 0, 0);
    return at;
  }, [events, wallFrom.getTime()]);

  const onDrop = ({ event, start, resourceId }: EventInteractionArgs<CalendarEvent>) => {
    const appointment = byId.get(event.id);
    if (!appointment || !canAct) return;
    const startsAt = fromWall(new Date(start), timeZone);
    const staffId = typeof resourceId === 'string' ? resourceId : appointment.staffId;
    if (startsAt.getTime() === Date.parse(appointment.startsAt) && staffId === appointment.staffId) return;
    setNotice(null);
    setMove({ appointment, startsAt: startsAt.toISOString(), staffId });
  };

  const shift = (days: number) => setWallDate((current) => addDays(current, view === Views.WEEK ? days * 7 : days));

  return (
    <section aria-labelledby="calendar-title" className="calendar-page">
      <div className="toolbar">
        <h1 id="calendar-title">
          {view === Views.WEEK ? `${formatDate(fromWall(wallFrom, timeZone))} – ${formatDate(fromWall(addDays(wallFrom, 6), timeZone))}` : formatDate(from)}
        </h1>
        <div className="toolbar-group" role="group" aria-label={t('navCalendar')}>
          <button type="button" onClick={() => shift(-1)}>
            {t('previous')}
          </button>
          <button type="button" onClick={() => setWallDate(toWall(new Date(), timeZone))}>
            {t('today')}
          </button>
          <button type="button" onClick={() => shift(1)}>
            {t('next')}
          </button>
        </div>
        <div className="toolbar-group" role="group" aria-label={`${t('day')} / ${t('week')}`}>
          <button type="button" aria-pressed={view === Views.DAY} onClick={() => setView(Views.DAY)}>
            {t('day')}
          </button>
          <button type="button" aria-pressed={view === Views.WEEK} onClick={() => setView(Views.WEEK)}>
            {t('week')}
          </button>
        </div>
        {canAct && (
          <button type="button" className="primary" onClick={() => setNewAt({ startsAt: nextQuarterHour() })}>
            {t('newAppointment')}
          </button>
        )}
      </div>
      <div role="status" aria-live="polite" className="notice-slot">
        {notice?.text && <p className={notice.kind === 'ok' ? 'notice ok' : 'notice error'}>{notice.text}</p>}
      </div>
      {appointments.isError && <p role="alert">{t('loadFailed', { message: appointments.error.message })}</p>}
      <div className="calendar-frame">
        <DragAndDropCalendar
          localizer={localizer}
          culture={language}
          date={wallDate}
          view={view}
          views={[Views.DAY, Views.WEEK]}
          onView={setView}
          onNavigate={setWallDate}
          toolbar={false}
          events={events}
          resources={columns}
          resourceIdAccessor="resourceId"
          resourceTitleAccessor="title"
          step={15}
          timeslots={4}
          scrollToTime={scrollTo}
          selectable={canAct}
          draggableAccessor={() => canAct}
          resizable={false}
          onEventDrop={onDrop}
          onSelectSlot={({ start, resourceId }: { start: Date; resourceId?: string | number }) =>
            canAct && setNewAt({ startsAt: fromWall(new Date(start), timeZone), staffId: resourceId === undefined ? undefined : String(resourceId) })
          }
          onSelectEvent={(event: CalendarEvent) => navigate(`/appointments/${encodeURIComponent(event.id)}`)}
          onKeyPressEvent={(event: CalendarEvent, press) => {
            const { key } = press.nativeEvent as KeyboardEvent;
            if (key === 'Enter' || key === ' ') navigate(`/appointments/${encodeURIComponent(event.id)}`);
          }}
          tooltipAccessor={(event: CalendarEvent) => describe(byId.get(event.id), staff.data, services.data)}
          titleAccessor={(event: CalendarEvent) => byId.get(event.id)?.customer.name ?? event.id}
          components={{
            event: ({ event }: { event: CalendarEvent }) => (
              <EventBox appointment={byId.get(event.id)} serviceName={nameOf(services.data, byId.get(event.id)?.serviceId ?? '', 'serviceId')} />
            ),
          }}
          messages={{ noEventsInRange: t('noAppointments') }}
        />
      </div>
      {move && (
        <MoveDialog
          move={move}
          staff={staff.data ?? []}
          services={services.data ?? []}
          onDone={(result) => {
            setMove(null);
            setNotice(result);
          }}
        />
      )}
      {newAt && <NewAppointmentDialog startsAt={newAt.startsAt} staffId={newAt.staffId} onDone={(result) => (setNewAt(null), result && setNotice(result))} />}
    </section>
  );
}

function EventBox({ appointment, serviceName }: { appointment: Appointment | undefined; serviceName: string }) {
  const { t } = useI18n();
  if (!appointment) return null;
  return (
    <div className="event-box" data-appointment-id={appointment.appointmentId} data-starts-at={appointment.startsAt} data-staff-id={appointment.staffId}>
      <strong className="event-customer">{appointment.customer.name}</strong>
      <span className="event-service">{serviceName}</span>
      <span className="event-status">{statusText(appointment.status, t)}</span>
      <SyncBadge calcom={appointment.calcom} />
    </div>
  );
}

export function statusText(status: string, t: ReturnType<typeof useI18n>['t']): string {
  const key = `status_${status.replace(/-/g, '_')}` as Parameters<typeof t>[0];
  const text = t(key);
  return text === key ? status : text;
}

function describe(
  appointment: Appointment | undefined,
  staff: { staffId: string; name: string }[] | undefined,
  services: { serviceId: string; name: string }[] | undefined,
): string {
  if (!appointment) return '';
  return `${appointment.customer.name} · ${nameOf(services, appointment.serviceId, 'serviceId')} · ${nameOf(staff, appointment.staffId, 'staffId')} · ${appointment.calcom?.syncStatus ?? 'pending'}`;
}

/** `/admin/?date=2030-05-01` opens that day (a link from elsewhere, or a bookmark). */
function dayFromAddress(): Date | null {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(new URLSearchParams(location.search).get('date') ?? '');
  return match ? new Date(Number(match[1]), Number(match[2]) - 1, Number(match[3])) : null;
}

function startOfWallDay(wall: Date): Date {
  const day = new Date(wall);
  day.setHours(0, 0, 0, 0);
  return day;
}

function nextQuarterHour(): Date {
  const quarter = 15 * 60_000;
  return new Date(Math.ceil((Date.now() + quarter) / quarter) * quarter);
}
