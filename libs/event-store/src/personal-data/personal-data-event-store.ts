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
import type { KeysToStore } from '../postgres/postgres-event-store.queries.js';
import type { PersonalDataProtection } from './personal-data-protection.js';
import { ONE_LIVE_KEY_CONSTRAINT } from './postgres-customer-keys.schema.js';

const UNIQUE_VIOLATION = '23505';

/**
 * The event store port with customers' personal data encrypted at rest: sealed on append, opened on every read
 * (streams, the global order, and so every subscription and rebuild). The store underneath, its hash chain and its
 * copies only ever see the sealed bytes; the domain never sees them.
 */
export class PersonalDataEventStore implements EventStore {
  /** Where an append that makes new customers' keys goes (with them), instead of `inner`; null: keys are made first. */
  private readonly keyMaking: KeyMakingStore | null;

  /**
   * `keyMaking`: the PostgreSQL store beside the key table, when `inner` wraps it (it is found when `inner` is it). An
   * append that makes keys goes to it directly; every other call goes to `inner`.
   */
  constructor(
    private readonly inner: EventStore,
    readonly protection: PersonalDataProtection,
    keyMaking?: KeyMakingStore,
  ) {
    this.keyMaking = keyMaking ?? (canMakeKeys(inner) ? inner : null);
  }

  /** The protection of a store opened by openEventStore, for the erasure; null for a store without one. */
  static protectionOf(store: EventStore): PersonalDataProtection | null {
    return store instanceof PersonalDataEventStore ? store.protection : null;
  }

  async appendToStream(streamName: string, events: NewEvent[], options: { expectedRevision?: ExpectedRevision } = {}): Promise<AppendResult> {
    const sealed = this.keyMaking ? this.protection.sealMakingKeys(events) : null;
    if (sealed === null) return this.inner.appendToStream(streamName, await this.protection.seal(events), options);
    const { keys } = sealed;
    if (keys === null || keys.made.length === 0) return this.inner.appendToStream(streamName, sealed.events, options);
    const made = { keyIds: keys.made.map((key) => key.keyId), subjectIds: keys.made.map((key) => key.subjectId), keys: keys.made.map((key) => key.key) };
    try {
      const result = await this.keyMaking!.appendToStreamMakingKeys(streamName, sealed.events, options, made);
      this.protection.madeWithAppend(keys);
      return result;
    } catch (error) {
      if (!isLiveKeyTaken(error)) throw error;
    }
    // A customer has a live key we did not know (a concurrent first append made it, or it is older than our cache):
    // nothing was stored. Sealed again with the keys the table has, as seal always did.
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

/** A store that can keep new customers' keys in an append's own transaction (PostgresEventStore beside its key table). */
export interface KeyMakingStore {
  appendToStreamMakingKeys(streamName: string, events: NewEvent[], options: { expectedRevision?: ExpectedRevision }, keys: KeysToStore): Promise<AppendResult>;
}

function canMakeKeys(store: object): store is KeyMakingStore {
  return typeof (store as Partial<KeyMakingStore>).appendToStreamMakingKeys === 'function';
}

function isLiveKeyTaken(error: unknown): boolean {
  const { code, constraint } = error as { code?: string; constraint?: string };
  return code === UNIQUE_VIOLATION && constraint === ONE_LIVE_KEY_CONSTRAINT;
}
