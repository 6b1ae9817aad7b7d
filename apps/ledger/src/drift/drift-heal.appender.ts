import { randomUUID } from 'node:crypto';
import {
  appointmentStream,
  calcomSyncStream,
  driftChecksStream,
  DriftNotHealableError,
  planHeal,
  VersionConflictError,
  versionAfter,
  versionAtRevision,
  type DriftCatalog,
  type DriftItem,
  type DriftItemHealed,
  type DriftKeep,
  type HealSteps,
} from '#domain';
import { type EventMetadata, type EventStore, type NewEvent, type Position, WrongExpectedRevisionError } from '#event-store';

export interface HealResult {
  itemId: string;
  appointmentId: string;
  keep: DriftKeep;
  /** Event types appended, in order. */
  appended: string[];
  position: Position;
}

/** Who heals: a person (their actor name) or the policy. Carried on every event the heal appends. */
export interface HealActor {
  actor: string;
  /** The signed-in person's account id, when a person healed it from the admin UI. */
  actorId?: string | null;
  decidedBy: 'person' | 'policy';
  correlationId: string;
}

/**
 * Carries out a heal as events only: what Cal.com shows goes to the sync's stream, Cal.com's levels (when Cal.com wins)
 * to the appointment's stream at the revision the check saw, a retry request (when the ledger wins) for the sync.
 * The sync process manager makes any Cal.com call that follows.
 */
export class DriftHealAppender {
  constructor(private readonly store: EventStore) {}

  async heal(item: DriftItem, keep: DriftKeep, catalog: DriftCatalog, by: HealActor): Promise<HealResult> {
    const decision = planHeal(item, keep, catalog);
    if (!decision.ok) throw new DriftNotHealableError(item.id, decision.reason);
    return this.apply(item, keep, decision.steps, by);
  }

  async apply(item: DriftItem, keep: DriftKeep, steps: HealSteps, by: HealActor): Promise<HealResult> {
    const metadata: EventMetadata = {
      actor: by.actor,
      ...(by.actorId ? { actorId: by.actorId } : {}),
      source: 'reconciler',
      correlationId: by.correlationId,
      causationId: null,
      reason: `drift ${item.id}: keep ${keep === 'ledger' ? 'the ledger' : 'Cal.com'}`,
    };
    const { appointmentId } = steps;
    const appended: string[] = [];
    if (steps.observe) {
      await this.append(calcomSyncStream(appointmentId), [event('CalcomBookingObserved', { appointmentId, booking: steps.observe, via: 'reconciler', factId: null }, metadata)]);
      appended.push('CalcomBookingObserved');
    }
    if (steps.events.length > 0) {
      const expectedRevision = steps.newAppointment ? 'no_stream' : (steps.expectedRevision ?? 'any');
      try {
        await this.append(
          appointmentStream(appointmentId),
          steps.events.map(({ type, data }) => event(type, data, metadata)),
          expectedRevision,
        );
      } catch (error) {
        if (!(error instanceof WrongExpectedRevisionError)) throw error;
        const expected = typeof expectedRevision === 'number' ? versionAfter(expectedRevision) : 0;
        const actual = versionAtRevision(error.actual);
        throw new VersionConflictError(appointmentId, expected, actual);
      }
      appended.push(...steps.events.map(({ type }) => type));
    }
    if (steps.retry) {
      await this.append(calcomSyncStream(appointmentId), [event('CalcomSyncRetryRequested', { appointmentId }, metadata)]);
      appended.push('CalcomSyncRetryRequested');
    }
    const healed: DriftItemHealed['data'] = { itemId: item.id, kind: item.kind, appointmentId, bookingUid: item.bookingUid, keep, decidedBy: by.decidedBy, appended };
    const { position } = await this.append(driftChecksStream, [event('DriftItemHealed', healed, metadata)]);
    return { itemId: item.id, appointmentId, keep, appended, position };
  }

  private append(stream: string, events: NewEvent[], expectedRevision: number | 'no_stream' | 'any' = 'any') {
    return this.store.appendToStream(stream, events, { expectedRevision });
  }
}

const event = (type: string, data: object, metadata: EventMetadata): NewEvent => ({ id: randomUUID(), type, data, metadata });
