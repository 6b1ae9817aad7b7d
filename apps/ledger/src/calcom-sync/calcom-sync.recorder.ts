import { randomUUID } from 'node:crypto';
import { type BookingCopy, type CalcomCall, type CalcomOperation, type CalcomOperationFailed, type CalcomSyncEvent, calcomSyncStream } from '#domain';
import type { EventMetadata, EventStore, ExpectedRevision } from '#event-store';
import type { CalcomSyncInputs } from './calcom-sync.inputs.js';

export const SYNC_ACTOR = 'calcom-sync';

/** What a `CalcomOperationFailed` records, but the appointment (the snapshot's); the recorder always knows the ledger version. */
export type OperationFailure = Omit<CalcomOperationFailed['data'], 'appointmentId' | 'ledgerVersion'> & { ledgerVersion: number };

/**
 * Writes the sync's own stream. Decisions (`started`, `completed`, `refused`) are appended at the revision they were
 * made on, so a concurrent writer (a webhook's observation) makes them fail and be made again on fresh state;
 * outcomes of a call are appended whatever else was written meanwhile, because the call happened.
 */
export class CalcomSyncRecorder {
  constructor(private readonly store: EventStore) {}

  /** `reason`: why this call, in words, for the history (the decision's reason and anything learned on the way). */
  started(snapshot: CalcomSyncInputs, call: CalcomCall, reason?: string) {
    const { operationId, operation, bookingUid, request, ledgerVersion } = call;
    const data = { appointmentId: snapshot.appointmentId, operationId, operation, bookingUid, request, ledgerVersion, ...(reason ? { reason } : {}) };
    return this.append(snapshot, { type: 'CalcomOperationStarted', data }, atRevision(snapshot));
  }

  succeeded(snapshot: CalcomSyncInputs, operationId: string, operation: CalcomOperation, booking: BookingCopy, alreadyDone: boolean) {
    const data = { appointmentId: snapshot.appointmentId, operationId, operation, booking, alreadyDone };
    return this.append(snapshot, { type: 'CalcomOperationSucceeded', data }, 'any');
  }

  failed(snapshot: CalcomSyncInputs, failure: OperationFailure, expectedRevision: ExpectedRevision = 'any') {
    return this.append(snapshot, { type: 'CalcomOperationFailed', data: { appointmentId: snapshot.appointmentId, ...failure } }, expectedRevision);
  }

  /** A permanent failure decided without a call (the catalog cannot place the appointment on Cal.com). */
  refused(snapshot: CalcomSyncInputs, failure: OperationFailure) {
    return this.failed(snapshot, failure, atRevision(snapshot));
  }

  observed(snapshot: CalcomSyncInputs, booking: BookingCopy) {
    const data = { appointmentId: snapshot.appointmentId, booking, via: 'api' as const, factId: null };
    return this.append(snapshot, { type: 'CalcomBookingObserved', data }, 'any');
  }

  completed(snapshot: CalcomSyncInputs, ledgerVersion: number, bookingUid: string | null) {
    const data = { appointmentId: snapshot.appointmentId, ledgerVersion, bookingUid };
    return this.append(snapshot, { type: 'CalcomSyncCompleted', data }, atRevision(snapshot));
  }

  private append(snapshot: CalcomSyncInputs, event: CalcomSyncEvent, expectedRevision: ExpectedRevision) {
    const metadata: EventMetadata = {
      actor: SYNC_ACTOR,
      source: 'sync',
      correlationId: snapshot.cause?.correlationId ?? randomUUID(),
      causationId: snapshot.cause?.eventId ?? null,
    };
    return this.store.appendToStream(calcomSyncStream(snapshot.appointmentId), [{ id: randomUUID(), type: event.type, data: event.data, metadata }], {
      expectedRevision,
    });
  }
}

const atRevision = (snapshot: CalcomSyncInputs): ExpectedRevision => (snapshot.syncRevision < 0 ? 'no_stream' : snapshot.syncRevision);
