import { randomUUID } from 'node:crypto';
import {
  appointmentDecider,
  appointmentStream,
  calcomSyncStream,
  type ConflictKeep,
  type ExistingAppointment,
  NotFoundError,
  lastRevisionAt,
  resolveConflict,
  versionAfter,
} from '#domain';
import { aggregateStream, type EventMetadata, type EventStore, type Position } from '#event-store';
import type { CalcomInboundQueries } from '#projections';
import { calcomSyncFold } from '../calcom-sync/calcom-sync.fold.js';

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

  async resolve(conflictId: string, keep: ConflictKeep, context: { actor: string; actorId?: string | null; correlationId: string }): Promise<ConflictResolution> {
    const conflict = await this.inbound.conflict(conflictId);
    if (!conflict) throw new NotFoundError('conflict', conflictId);
    const { appointmentId } = conflict;
    const [ledger, sync] = await Promise.all([
      aggregateStream(this.store, appointmentStream(appointmentId), appointmentDecider),
      aggregateStream(this.store, calcomSyncStream(appointmentId), calcomSyncFold),
    ]);
    const appointment = ledger.state;
    if (appointment.status === 'initial') throw new NotFoundError('appointment', appointmentId);
    const decided = resolveConflict(appointmentId, conflictId, appointment as ExistingAppointment, sync.state, keep);

    const reason = `Conflict ${conflictId} resolved: keep ${keep}`;
    const base = { actor: context.actor, ...(context.actorId ? { actorId: context.actorId } : {}), correlationId: context.correlationId, reason, conflictId };
    let version = ledger.eventCount;
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
      { expectedRevision: sync.revision },
    );
    position = result.position ?? position;
    await this.waitForReadModel(position);
    return { conflictId, appointmentId, keep, version };
  }
}
