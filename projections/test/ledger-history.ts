import { randomUUID } from 'node:crypto';
import {
  decide,
  evolve,
  initialState,
  appointmentStream,
  serviceStream,
  staffStream,
  type Appointment,
  type AppointmentCommand,
  type ServiceSaved,
  type StaffMemberSaved,
} from '#domain';
import { START, type EventMetadata, type EventStore, type NewEvent, type Position } from '#event-store';

export const NOW = '2026-01-01T00:00:00.000Z';
export const staffIds = ['ana', 'ben', 'cleo'];
export const serviceIds = ['cut', 'colour'];
const durations: Record<string, number> = { cut: 30, colour: 90 };

/** An event type this projection does not know, as the Cal.com sync will add to appointment streams. */
export const UNKNOWN_APPOINTMENT_EVENT = 'CalcomBookingLinked';

export function metadata(): EventMetadata {
  return { actor: 'admin:test', source: 'admin', correlationId: randomUUID(), causationId: null };
}

export function newEvent(type: string, data: unknown): NewEvent {
  return { id: randomUUID(), type, data, metadata: metadata() };
}

export async function saveStaff(store: EventStore, staffId: string, name: string, email: string, calcomUserId: number | null) {
  const data: StaffMemberSaved['data'] = { staffId, name, email, calcomUserId };
  return store.appendToStream(staffStream(staffId), [newEvent('StaffMemberSaved', data)]);
}

export async function saveService(store: EventStore, serviceId: string, durationMinutes: number, calcomEventTypeIds: Record<string, number>) {
  const data: ServiceSaved['data'] = { serviceId, name: `Service ${serviceId}`, durationMinutes, calcomEventTypeIds };
  return store.appendToStream(serviceStream(serviceId), [newEvent('ServiceSaved', data)]);
}

/** A deterministic pseudo-random sequence (mulberry32), so a failing history can be replayed exactly. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Tracked {
  state: Appointment;
  revision: number;
}

/**
 * Appends a realistic, interleaved history through the real decider: catalog saves and re-saves, appointments
 * scheduled, rescheduled, reassigned, moved to another service, cancelled, plus an event type unknown to the
 * projection. Returns the appointment ids and the position of the last event.
 */
export async function appendMixedHistory(
  store: EventStore,
  options: { appointments: number; steps: number; seed: number; idPrefix?: string },
): Promise<{ appointmentIds: string[]; lastPosition: Position }> {
  let lastPosition: Position = START;
  const remember = <R extends { position: Position }>(result: R): R => {
    lastPosition = result.position;
    return result;
  };
  const next = random(options.seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)];
  for (const [index, staffId] of staffIds.entries()) remember(await saveStaff(store, staffId, `Staff ${staffId}`, `${staffId}@salon.test`, 100 + index));
  remember(await saveService(store, 'cut', 30, { ana: 501, ben: 502 }));
  remember(await saveService(store, 'colour', 90, { ana: 601 }));

  const appointments = new Map<string, Tracked>();
  const apply = async (appointmentId: string, command: AppointmentCommand | null, unknownType = false) => {
    const tracked = appointments.get(appointmentId) ?? { state: initialState(), revision: -1 };
    const events = unknownType
      ? [newEvent(UNKNOWN_APPOINTMENT_EVENT, { appointmentId, bookingUid: `uid-${tracked.revision}` })]
      : decide(command!, tracked.state).map(({ type, data }) => newEvent(type, data));
    if (events.length === 0) return;
    const expectedRevision = tracked.revision === -1 ? 'no_stream' : tracked.revision;
    const { nextExpectedRevision } = remember(await store.appendToStream(appointmentStream(appointmentId), events, { expectedRevision }));
    const state = unknownType ? tracked.state : events.reduce((folded, event) => evolve(folded, event as never), tracked.state);
    appointments.set(appointmentId, { state, revision: nextExpectedRevision });
  };
  const randomStart = () => new Date(Date.parse('2030-03-01T08:00:00Z') + Math.floor(next() * 2000) * 15 * 60_000).toISOString();
  const base = { now: NOW, overlapping: [] as string[] };

  for (let step = 0, scheduled = 0; step < options.steps || scheduled < options.appointments; step++) {
    const active = [...appointments].filter(([, { state }]) => state.status === 'scheduled').map(([id]) => id);
    const roll = next();
    if (scheduled < options.appointments && (roll < 0.35 || active.length === 0)) {
      const appointmentId = `${options.idPrefix ?? 'appt'}-${String(scheduled++).padStart(4, '0')}`;
      const serviceId = pick(serviceIds);
      await apply(appointmentId, {
        type: 'ScheduleAppointment',
        data: {
          ...base,
          appointmentId,
          serviceId,
          staffId: pick(staffIds),
          startsAt: randomStart(),
          durationMinutes: durations[serviceId],
          customer: { name: `Customer ${appointmentId}`, email: `${appointmentId}@mail.test`, timeZone: 'Europe/Vienna', phone: null },
          notes: next() < 0.5 ? `note for ${appointmentId}` : null,
        },
      });
      continue;
    }
    if (roll < 0.38) {
      remember(await saveStaff(store, 'ana', 'Ana', `ana+${step}@salon.test`, 100));
      continue;
    }
    if (roll < 0.4) {
      remember(await saveService(store, 'cut', 30, { ana: 501, ben: 502, cleo: 503 + step }));
      continue;
    }
    if (active.length === 0) continue;
    const appointmentId = pick(active);
    const state = appointments.get(appointmentId)!.state as Exclude<Appointment, { status: 'initial' }>;
    const action = next();
    if (action < 0.3) {
      await apply(appointmentId, { type: 'RescheduleAppointment', data: { ...base, appointmentId, startsAt: randomStart(), durationMinutes: durations[state.serviceId] } });
    } else if (action < 0.5) {
      await apply(appointmentId, { type: 'ReassignStaff', data: { ...base, appointmentId, staffId: pick(staffIds) } });
    } else if (action < 0.7) {
      const serviceId = pick(serviceIds);
      await apply(appointmentId, { type: 'ChangeService', data: { ...base, appointmentId, serviceId, durationMinutes: durations[serviceId] } });
    } else if (action < 0.85) {
      await apply(appointmentId, { type: 'CancelAppointment', data: { appointmentId, reason: `reason ${step}` } });
    } else {
      await apply(appointmentId, null, true);
    }
  }
  return { appointmentIds: [...appointments.keys()], lastPosition };
}
