import type { CustomerKeys } from './customer-keys.js';
import { putBack, takeOut } from './data-paths.js';
import { isEnvelopeList, open, PERSONAL_DATA_KEY, seal, type PersonalDataEnvelope } from './personal-data-envelope.js';
import { RecentEntries } from './recent-entries.js';

/** Where one event's personal fields are and whose they are (the domain's registry: personalDataOf). */
export type PersonalDataLocator = (type: string, data: unknown) => { email: string; paths: readonly DataPath[] }[];

type DataPath = readonly (string | number)[];

export interface PersonalDataOptions {
  locate: PersonalDataLocator;
  /** What an erased field reads as. */
  erased: unknown;
  /** Events whose opened data is remembered (default 5,000); 0 opens every read afresh. */
  memoSize?: number;
}

interface Sealable {
  id: string;
  type: string;
  data: unknown;
}

interface Opened {
  /** The event id (the envelope's authenticated data). */
  id: string;
  data: unknown;
}

/**
 * Seals the personal fields of events before they are stored and opens them when they are read. Keys are looked up
 * once per batch (one query for whatever the cache lacks), never per event. A field whose key is gone reads as
 * `erased`; so does one whose envelope does not open (altered bytes: verify names that event, reading shows nothing).
 */
export class PersonalDataProtection {
  private readonly memo: OpenedMemo;

  constructor(
    readonly keys: CustomerKeys,
    private readonly options: PersonalDataOptions,
  ) {
    this.memo = new OpenedMemo(options.memoSize ?? 5_000);
  }

  async seal<E extends Sealable>(events: readonly E[]): Promise<E[]> {
    const located = events.map((event) => this.options.locate(event.type, event.data));
    const emails = located.flat().map((group) => group.email);
    if (emails.length === 0) return [...events];
    const keys = await this.keys.keysForWriting(emails);
    return events.map((event, index) => {
      if (located[index].length === 0) return event;
      let data = event.data as Record<string, unknown>;
      const envelopes: PersonalDataEnvelope[] = [];
      for (const { email, paths } of located[index]) {
        const key = keys.get(this.keys.subjectOf(email))!;
        const taken = takeOut(data, paths);
        data = taken.rest;
        envelopes.push(seal(key.key, key.keyId, event.id, paths, taken.values));
      }
      // `data` is takeOut's copy, this event's own: the envelopes go straight into it.
      data[PERSONAL_DATA_KEY] = envelopes;
      return { ...event, data };
    });
  }

  /**
   * `idOf` gives each event's id; events without personal data are returned as they are (one property check). The
   * projector, the sync, the notifications and a command's fold read the same events: what one of them opened serves
   * the others until a key may have been destroyed (the keys' version moves), so each event is opened about once.
   */
  async open<E extends { data: unknown }>(events: readonly E[], idOf: (event: E) => string): Promise<E[]> {
    const version = this.keys.keysVersion();
    this.memo.keepFor(version);
    const envelopesByEvent = events.map((event) => envelopesOf(event.data));
    // What the memo held when this read began: another read may empty it while this one waits for keys.
    const remembered = new Map<string, Record<string, unknown>>();
    const keyIds: string[] = [];
    events.forEach((event, index) => {
      const envelopes = envelopesByEvent[index];
      if (!envelopes) return;
      const id = idOf(event);
      const data = this.memo.get(id);
      if (data) remembered.set(id, data);
      else for (const envelope of envelopes) keyIds.push(envelope.key);
    });
    if (envelopesByEvent.every((envelopes) => envelopes === null)) return [...events];
    let keys = keyIds.length > 0 ? await this.keys.keysForReading(keyIds) : new Map<string, Buffer>();
    // An erasure seen while the keys were read: what was opened now is not remembered, and what the memo held is
    // opened afresh with keys asked for after it.
    const remember = version !== null && this.keys.keysVersion() === version;
    if (!remember && remembered.size > 0) {
      remembered.clear();
      keys = await this.keys.keysForReading(envelopesByEvent.flatMap((envelopes) => (envelopes ?? []).map((envelope) => envelope.key)));
    }
    return events.map((event, index) => {
      const envelopes = envelopesByEvent[index];
      if (!envelopes) return event;
      const id = idOf(event);
      let data = remembered.get(id);
      if (!data) {
        data = this.opened({ id, data: event.data }, envelopes, keys);
        if (remember) this.memo.set(id, data);
      }
      return { ...event, data };
    });
  }

  private opened(event: Opened, envelopes: PersonalDataEnvelope[], keys: Map<string, Buffer>): Record<string, unknown> {
    const { [PERSONAL_DATA_KEY]: _sealed, ...rest } = event.data as Record<string, unknown>;
    let data: Record<string, unknown> = rest;
    for (const envelope of envelopes) {
      const key = keys.get(envelope.key);
      const values = key ? openOrNull(key, event.id, envelope) : null;
      data = putBack(data, envelope.paths, (index) => (values ? values[index] : this.options.erased));
    }
    return data;
  }
}

function envelopesOf(data: unknown): PersonalDataEnvelope[] | null {
  if (typeof data !== 'object' || data === null || !Object.hasOwn(data, PERSONAL_DATA_KEY)) return null;
  const envelopes = (data as Record<string, unknown>)[PERSONAL_DATA_KEY];
  return isEnvelopeList(envelopes) ? envelopes : null;
}

function openOrNull(key: Buffer, eventId: string, envelope: PersonalDataEnvelope): unknown[] | null {
  try {
    return open(key, eventId, envelope);
  } catch {
    return null;
  }
}

/** Opened data by event id, the least recently used dropped first; emptied whenever the keys' version moves (or cannot be trusted). */
class OpenedMemo {
  private readonly entries: RecentEntries<string, Record<string, unknown>>;
  private version: number | null = null;

  constructor(capacity: number) {
    this.entries = new RecentEntries(capacity);
  }

  keepFor(version: number | null): void {
    if (version === null || version !== this.version) this.entries.clear();
    this.version = version;
  }

  get(id: string): Record<string, unknown> | undefined {
    return this.entries.get(id);
  }

  set(id: string, data: Record<string, unknown>): void {
    this.entries.set(id, data);
  }
}
