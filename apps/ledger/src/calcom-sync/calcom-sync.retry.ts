import { randomUUID } from 'node:crypto';
import { appointmentStream, calcomSyncStream, NotFoundError } from '#domain';
import type { EventMetadata, EventStore } from '#event-store';

/**
 * A retry is an event (`CalcomSyncRetryRequested`): it clears a failure's hold and its timer in the fold and is on
 * the record; the running process manager is also told at once, so it does not wait for its subscription.
 */
export class CalcomSyncRetry {
  constructor(
    private readonly store: EventStore,
    private readonly touch: (appointmentId: string) => void,
  ) {}

  async request(appointmentId: string, metadata: EventMetadata) {
    const [first] = await this.store.readStream(appointmentStream(appointmentId), { toRevision: 0 });
    if (!first) throw new NotFoundError('appointment', appointmentId);
    const event = { id: randomUUID(), type: 'CalcomSyncRetryRequested', data: { appointmentId }, metadata };
    const { position } = await this.store.appendToStream(calcomSyncStream(appointmentId), [event]);
    this.touch(appointmentId);
    return { appointmentId, retryRequested: true, position };
  }
}
