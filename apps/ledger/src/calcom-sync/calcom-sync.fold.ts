import { type CalcomSyncEvent, type CalcomSyncState, evolveCalcomSync, initialCalcomSyncState } from '#domain';
import type { AggregateStreamOptions, RecordedEvent } from '#event-store';

/**
 * The sync stream's fold for `aggregateStream`: the domain's evolve, handed the time the store recorded each event
 * (the domain keeps time out of its events, so the fold stays pure).
 */
export const calcomSyncFold: AggregateStreamOptions<CalcomSyncState, CalcomSyncEvent> = {
  initialState: initialCalcomSyncState,
  evolve: (state: CalcomSyncState, event: RecordedEvent<CalcomSyncEvent>) => evolveCalcomSync(state, event, event.recordedAt),
};
