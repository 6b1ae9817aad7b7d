import { createHash } from 'node:crypto';

/**
 * A UUID that is a function of its parts: what the translator writes for a fact gets the same ids every time it
 * applies that fact, so a second attempt after a crash is recognised by the event store as a retry.
 */
export function derivedId(...parts: string[]): string {
  const hex = createHash('sha256').update(parts.join('\u0000')).digest('hex');
  const variant = ((parseInt(hex[16], 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-8${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/** The ids of what the translator writes for a fact: the same on every application of it. */
export const factEventIds = {
  appointment: (factId: string, index: number) => derivedId(factId, 'appointment', String(index)),
  sync: (factId: string, index: number) => derivedId(factId, 'sync', String(index)),
  applied: (factId: string, factRevision: number) => derivedId(factId, 'applied', String(factRevision)),
};

/** More than any decision writes to one stream. */
export const MAX_EVENTS_PER_STREAM = 8;
