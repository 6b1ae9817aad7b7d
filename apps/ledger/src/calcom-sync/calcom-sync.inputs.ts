import { type Appointment, type AppointmentEvent, appointmentStream, type CalcomSyncState, type CalcomTarget, calcomSyncStream, evolve, initialState, versionAfter } from '#domain';
import { aggregateStream, type AggregateStreamOptions, type EventStore, type RecordedEvent } from '#event-store';
import type { CalcomCatalog } from './calcom-catalog.js';
import { calcomSyncFold } from './calcom-sync.fold.js';

/** Everything one decision needs, read fresh from the appointment's two streams and the catalog. */
export interface CalcomSyncInputs {
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

export async function loadCalcomSyncInputs(store: EventStore, catalog: CalcomCatalog, appointmentId: string): Promise<CalcomSyncInputs> {
  const [ledger, sync] = await Promise.all([
    aggregateStream(store, appointmentStream(appointmentId), ledgerSideFold),
    aggregateStream(store, calcomSyncStream(appointmentId), calcomSyncFold),
  ]);
  const { appointment, cause } = ledger.state;
  return {
    appointmentId,
    appointment,
    ledgerVersion: ledger.eventCount,
    ledgerChangedVersion: cause && cause.metadata.source !== 'calcom' ? versionAfter(cause.revision) : 0,
    sync: sync.state,
    syncRevision: sync.revision,
    target: appointment.status === 'initial' ? null : await catalog.targetOf(appointment.staffId, appointment.serviceId),
    cause: cause ? { eventId: cause.id, correlationId: cause.metadata.correlationId } : null,
  };
}

interface LedgerSide {
  appointment: Appointment;
  /** The latest change made anywhere but on Cal.com (what the sync owes Cal.com), else the latest event. */
  cause: RecordedEvent<AppointmentEvent> | null;
}

const ledgerSideFold: AggregateStreamOptions<LedgerSide, AppointmentEvent> = {
  initialState: () => ({ appointment: initialState(), cause: null }),
  evolve: ({ appointment, cause }, event) => ({
    appointment: evolve(appointment, event),
    cause: madeOutsideCalcom(event) || !cause || !madeOutsideCalcom(cause) ? event : cause,
  }),
};

const madeOutsideCalcom = (event: RecordedEvent): boolean => event.metadata.source !== 'calcom';
