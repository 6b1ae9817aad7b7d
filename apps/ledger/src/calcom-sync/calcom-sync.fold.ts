import { type CalcomSyncEvent, type CalcomSyncState, evolveCalcomSync, initialCalcomSyncState } from '../../../../libs/domain/src/index.js';
import type { AggregateStreamOptions, RecordedEvent } from '../../../../libs/event-store/src/index.js';

/**
 * The sync stream's fold for `aggregateStream`: the domain's evolve, handed the time the store recorded each event
 * (the domain keeps time out of its events, so the fold stays pure).
 */
export const calcomSyncFold: AggregateStreamOptions<CalcomSyncState, CalcomSyncEvent> = {
  initialState: initialCalcomSyncState,
  evolve: (state: CalcomSyncState, event: RecordedEvent<CalcomSyncEvent>) => evolveCalcomSync(state, event, event.recordedAt),
};
