import { randomUUID } from 'node:crypto';
import {
  type AppointmentEvent,
  appointmentStream,
  calcomSyncStream,
  type CalcomSyncEvent,
  type ConflictKeep,
  evolve,
  evolveCalcomSync,
  type ExistingAppointment,
  initialCalcomSyncState,
  initialState,
  NotFoundError,
  lastRevisionAt,
  resolveConflict,
  versionAfter,
} from '../../../../libs/domain/src/index.js';
import type { EventMetadata, EventStore, Position } from '../../../../libs/event-store/src/event-store.port.js';
import type { CalcomInboundQueries } from '../../../../projections/src/calcom-inbound.queries.js';

export interface ConflictResolution {
  conflictId: string;
  appointmentId: string;
  keep: ConflictKeep;
  /** The appointment's version afterwards. */
  version: number;
}

/**
 * A person settles a conflict. Keeping Cal.com writes Cal.com's state into the ledger as `source: calcom` events
 * (caused by the webhook fact); keeping the ledger only closes the conflict, and the sync then pushes the ledger's state.
 */
export class ConflictResolutionService {
  constructor(
    private readonly store: EventStore,
    private readonly inbound: CalcomInboundQueries,
    private readonly waitForReadModel: (position: Position) => Promise<void>,
  ) {}

  async resolve(conflictId: string, keep: ConflictKeep, context: { actor: string; correlationId: string }): Promise<ConflictResolution> {
    const conflict = await this.inbound.conflict(conflictId);
    if (!conflict) throw new NotFoundError('conflict', conflictId);
    const { appointmentId } = conflict;
    const [appointmentEvents, syncEvents] = await Promise.all([
      this.store.readStream(appointmentStream(appointmentId)),
      this.store.readStream(calcomSyncStream(appointmentId)),
    ]);
    const appointment = appointmentEvents.reduce((state, event) => evolve(state, event as unknown as AppointmentEvent), initialState());
    if (appointment.status === 'initial') throw new NotFoundError('appointment', appointmentId);
    const sync = syncEvents.reduce((state, event) => evolveCalcomSync(state, event as unknown as CalcomSyncEvent, event.recordedAt), initialCalcomSyncState());
    const decided = resolveConflict(appointmentId, conflictId, appointment as ExistingAppointment, sync, keep);

    const reason = `Conflict ${conflictId} resolved: keep ${keep}`;
    const base = { actor: context.actor, correlationId: context.correlationId, reason, conflictId };
    let version = appointmentEvents.length;
    let position: Position | null = null;
    if (decided.appointmentEvents.length > 0) {
      const metadata: EventMetadata = { ...base, source: 'calcom', causationId: conflict.factId };
      const result = await this.store.appendToStream(
        appointmentStream(appointmentId),
        decided.appointmentEvents.map((event) => ({ id: randomUUID(), ...event, metadata })),
        { expectedRevision: lastRevisionAt(version) },
      );
      version = versionAfter(result.nextExpectedRevision);
      position = result.position;
    }
    const metadata: EventMetadata = { ...base, source: 'admin', causationId: null };
    const result = await this.store.appendToStream(
      calcomSyncStream(appointmentId),
      decided.syncEvents.map((event) => ({ id: randomUUID(), ...event, metadata })),
      { expectedRevision: syncEvents.length - 1 },
    );
    position = result.position ?? position;
    await this.waitForReadModel(position);
    return { conflictId, appointmentId, keep, version };
  }
}
