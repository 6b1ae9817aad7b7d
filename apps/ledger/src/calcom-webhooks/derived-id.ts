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
