import type { EventShape, EventStore, ReadStreamOptions, RecordedEvent } from './event-store.port.js';

export interface AggregateStreamOptions<State, E extends EventShape> {
  initialState(): State;
  /** Sees every event read, in order, with its place in the store (revision, metadata, recordedAt …). */
  evolve(state: State, event: RecordedEvent<E>): State;
  /** Which part of the stream to fold, e.g. `{ until }` for the state as it stood at a time. */
  read?: ReadStreamOptions;
}

export interface AggregatedStream<State> {
  state: State;
  /** How many events were folded (the whole stream unless `read` cut it). */
  eventCount: number;
  /** The zero-based revision of the last event folded; -1 when none was. */
  revision: number;
}

/**
 * Reads one stream and folds it into state: the one fold every query, loader and handler shares (as Emmett's
 * aggregateStream). Every event goes to `evolve`, an unknown type included, and counts: what an event type the
 * fold does not know means is the fold's own decision.
 */
export async function aggregateStream<State, E extends EventShape>(
  store: EventStore,
  streamName: string,
  { initialState, evolve, read }: AggregateStreamOptions<State, E>,
): Promise<AggregatedStream<State>> {
  const events = await store.readStream<E>(streamName, read);
  let state = initialState();
  for (const event of events) state = evolve(state, event);
  return { state, eventCount: events.length, revision: events.at(-1)?.revision ?? -1 };
}
