import type { CalcomSyncQueries } from '#projections';
import { CalcomStatusLookup } from '../appointments/calcom-status.lookup.js';

/** The `calcom` block of `GET /appointments/{id}`, from the `calcom_sync_status` read model. */
export class CalcomSyncStatusLookup extends CalcomStatusLookup {
  constructor(private readonly queries: CalcomSyncQueries) {
    super();
  }

  override async statusOf(appointmentId: string): Promise<Record<string, unknown> | null> {
    return { ...((await this.queries.statusOf(appointmentId)) ?? EMPTY) };
  }

  override async statusesOf(appointmentIds: string[]): Promise<Map<string, Record<string, unknown> | null>> {
    const found = await this.queries.statusesOf(appointmentIds);
    return new Map(appointmentIds.map((appointmentId) => [appointmentId, { ...(found.get(appointmentId) ?? EMPTY) }]));
  }
}

/** An appointment the read model has not reached yet: nothing on Cal.com, work owed. */
const EMPTY = { bookingUid: null, bookingUids: [], syncStatus: 'pending', lastSyncedAt: null, attempts: 0, lastError: null, nextRetryAt: null };
