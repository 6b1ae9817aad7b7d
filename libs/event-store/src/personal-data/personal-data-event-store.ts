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
import type { KeysForAppending } from './customer-keys.js';
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
    try {
      const result = await this.keyMaking!.appendToStreamMakingKeys(streamName, sealed.events, options, toStore(keys));
      this.protection.madeWithAppend(keys);
      return result;
    } catch (error) {
      if (!isLiveKeyTaken(error)) throw error;
    }
    // A customer has a live key we did not know (a concurrent first append made it, or it is older than our cache):
    // nothing was stored. Sealed again with the keys the table has, as seal always did.
    return this.inner.appendToStream(streamName, await this.protection.seal(events), options);
  }

  /**
   * Sealed all at once, then appended together: new customers' keys stored in the same statement, as appendToStream
   * does. If that statement fails (a customer had a live key we did not know, say), nothing was stored: sealed again
   * with keys looked up first, and appended as before.
   */
  async appendToStreams(appends: readonly StreamAppend[]): Promise<StreamAppendOutcome[]> {
    const all = appends.flatMap((append) => append.events);
    let sealedMakingKeys: { events: NewEvent[]; keys: KeysForAppending | null } | null = null;
    try {
      sealedMakingKeys = this.keyMaking ? this.protection.sealMakingKeys(all) : null;
    } catch {
      // As below: the path that seals each append alone answers for it.
    }
    if (sealedMakingKeys) {
      const { events, keys } = sealedMakingKeys;
      if (keys === null || keys.made.length === 0) return this.inner.appendToStreams(withEvents(appends, events));
      const stored = await this.keyMaking!.appendToStreamsMakingKeys(withEvents(appends, events), toStore(keys)).catch(() => null);
      if (stored?.keysStored) this.protection.madeWithAppend(keys);
      if (stored) return stored.outcomes;
    }
    let sealed: NewEvent[];
    try {
      sealed = await this.protection.seal(all);
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
    return this.inner.appendToStreams(withEvents(appends, sealed));
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
  appendToStreamsMakingKeys(appends: readonly StreamAppend[], keys: KeysToStore): Promise<{ outcomes: StreamAppendOutcome[]; keysStored: boolean }>;
}

function toStore({ made }: KeysForAppending): KeysToStore {
  return { keyIds: made.map((key) => key.keyId), subjectIds: made.map((key) => key.subjectId), keys: made.map((key) => key.key) };
}

/** The appends with their events replaced, in order, by `events` (sealed copies of them all, laid end to end). */
function withEvents(appends: readonly StreamAppend[], events: readonly NewEvent[]): StreamAppend[] {
  let next = 0;
  return appends.map((append) => ({ ...append, events: append.events.map(() => events[next++]) }));
}

function canMakeKeys(store: object): store is KeyMakingStore {
  const candidate = store as Partial<KeyMakingStore>;
  return typeof candidate.appendToStreamMakingKeys === 'function' && typeof candidate.appendToStreamsMakingKeys === 'function';
}

function isLiveKeyTaken(error: unknown): boolean {
  const { code, constraint } = error as { code?: string; constraint?: string };
  return code === UNIQUE_VIOLATION && constraint === ONE_LIVE_KEY_CONSTRAINT;
}
