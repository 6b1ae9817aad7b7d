import {
  type Appointment,
  type AppointmentEvent,
  appointmentStream,
  type CalcomSyncEvent,
  type CalcomSyncState,
  type CalcomTarget,
  calcomSyncStream,
  evolve,
  evolveCalcomSync,
  initialCalcomSyncState,
  initialState,
  versionAfter,
} from '../../../../libs/domain/src/index.js';
import type { EventStore, RecordedEvent } from '../../../../libs/event-store/src/event-store.port.js';
import type { CalcomCatalog } from './calcom-catalog.js';

/** Everything one decision needs, read fresh from the appointment's two streams and the catalog. */
export interface CalcomSyncSnapshot {
  appointmentId: string;
  appointment: Appointment;
  ledgerVersion: number;
  ledgerChangedVersion: number;
  sync: CalcomSyncState;
  /** The sync stream's last revision (-1: none), for appends that must not race another writer. */
  syncRevision: number;
  target: CalcomTarget | null;
  /** The appointment event the sync is acting on: the cause of every event it records. */
  cause: { eventId: string; correlationId: string } | null;
}

export async function loadCalcomSyncSnapshot(store: EventStore, catalog: CalcomCatalog, appointmentId: string): Promise<CalcomSyncSnapshot> {
  const [appointmentEvents, syncEvents] = await Promise.all([
    store.readStream(appointmentStream(appointmentId)),
    store.readStream(calcomSyncStream(appointmentId)),
  ]);
  const appointment = appointmentEvents.reduce((state, event) => evolve(state, event as unknown as AppointmentEvent), initialState());
  const sync = syncEvents.reduce(
    (state, event) => evolveCalcomSync(state, event as unknown as CalcomSyncEvent, event.recordedAt),
    initialCalcomSyncState(),
  );
  const cause = latestOutsideChange(appointmentEvents) ?? appointmentEvents.at(-1);
  return {
    appointmentId,
    appointment,
    ledgerVersion: appointmentEvents.length,
    ledgerChangedVersion: cause && cause.metadata.source !== 'calcom' ? versionAfter(cause.revision) : 0,
    sync,
    syncRevision: syncEvents.length - 1,
    target: appointment.status === 'initial' ? null : await catalog.targetOf(appointment.staffId, appointment.serviceId),
    cause: cause ? { eventId: cause.id, correlationId: cause.metadata.correlationId } : null,
  };
}

/** The latest change made anywhere but on Cal.com: what the sync owes Cal.com. */
function latestOutsideChange(events: readonly RecordedEvent[]): RecordedEvent | undefined {
  for (let index = events.length - 1; index >= 0; index--) {
    if (events[index].metadata.source !== 'calcom') return events[index];
  }
  return undefined;
}
