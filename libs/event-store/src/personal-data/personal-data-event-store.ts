import type {
  AppendResult,
  EventShape,
  EventStore,
  ExpectedRevision,
  NewEvent,
  Position,
  ReadAllOptions,
  ReadAllResult,
  ReadStreamOptions,
  RecordedEvent,
  StreamAppend,
  StreamAppendOutcome,
} from '../event-store.port.js';
import type { PersonalDataProtection } from './personal-data-protection.js';

/**
 * The event store port with customers' personal data encrypted at rest: sealed on append, opened on every read
 * (streams, the global order, and so every subscription and rebuild). The store underneath, its hash chain and its
 * copies only ever see the sealed bytes; the domain never sees them.
 */
export class PersonalDataEventStore implements EventStore {
  constructor(
    private readonly inner: EventStore,
    readonly protection: PersonalDataProtection,
  ) {}

  /** The protection of a store opened by openEventStore, for the erasure; null for a store without one. */
  static protectionOf(store: EventStore): PersonalDataProtection | null {
    return store instanceof PersonalDataEventStore ? store.protection : null;
  }

  async appendToStream(streamName: string, events: NewEvent[], options?: { expectedRevision?: ExpectedRevision }): Promise<AppendResult> {
    return this.inner.appendToStream(streamName, await this.protection.seal(events), options);
  }

  /** Sealed all at once (one key lookup for the lot), then appended together. */
  async appendToStreams(appends: readonly StreamAppend[]): Promise<StreamAppendOutcome[]> {
    let sealed: NewEvent[];
    try {
      sealed = await this.protection.seal(appends.flatMap((append) => append.events));
    } catch {
      // What one append's events did to the sealing must not fail the others: each is sealed and appended alone, in order.
      const outcomes: StreamAppendOutcome[] = [];
      for (const { streamName, events, expectedRevision } of appends) {
        outcomes.push(
          await this.appendToStream(streamName, events, { expectedRevision }).then(
            (result) => ({ ok: true as const, result }),
            (error: unknown) => ({ ok: false as const, error }),
          ),
        );
      }
      return outcomes;
    }
    let next = 0;
    return this.inner.appendToStreams(appends.map((append) => ({ ...append, events: append.events.map(() => sealed[next++]) })));
  }

  async readStream<E extends EventShape = EventShape>(streamName: string, options?: ReadStreamOptions): Promise<RecordedEvent<E>[]> {
    return this.protection.open(await this.inner.readStream<E>(streamName, options), (event) => event.id);
  }

  async readAll(options?: ReadAllOptions): Promise<ReadAllResult> {
    const page = await this.inner.readAll(options);
    return { ...page, events: await this.protection.open(page.events, (event) => event.id) };
  }

  waitForEventsAfter(position: Position, signal?: AbortSignal): Promise<void> {
    return this.inner.waitForEventsAfter(position, signal);
  }

  headPosition(): Promise<Position> {
    return this.inner.headPosition();
  }

  comparePositions(a: Position, b: Position): number {
    return this.inner.comparePositions(a, b);
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}
