import type { CustomerKeys } from './customer-keys.js';
import { putBack, takeOut } from './data-paths.js';
import { isEnvelopeList, open, PERSONAL_DATA_KEY, seal, type PersonalDataEnvelope } from './personal-data-envelope.js';

/** Where one event's personal fields are and whose they are (the domain's registry: personalDataOf). */
export type PersonalDataLocator = (type: string, data: unknown) => { email: string; paths: readonly DataPath[] }[];

type DataPath = readonly (string | number)[];

export interface PersonalDataOptions {
  locate: PersonalDataLocator;
  /** What an erased field reads as. */
  erased: unknown;
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
  constructor(
    readonly keys: CustomerKeys,
    private readonly options: PersonalDataOptions,
  ) {}

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
      return { ...event, data: { ...data, [PERSONAL_DATA_KEY]: envelopes } };
    });
  }

  /** `ids` gives each event's id; events without personal data are returned as they are (one property check). */
  async open<E extends { data: unknown }>(events: readonly E[], idOf: (event: E) => string): Promise<E[]> {
    const keyIds: string[] = [];
    for (const event of events) {
      const envelopes = envelopesOf(event.data);
      if (envelopes) for (const envelope of envelopes) keyIds.push(envelope.key);
    }
    if (keyIds.length === 0) return [...events];
    const keys = await this.keys.keysForReading(keyIds);
    return events.map((event) => {
      const envelopes = envelopesOf(event.data);
      return envelopes ? { ...event, data: this.opened({ id: idOf(event), data: event.data }, envelopes, keys) } : event;
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
