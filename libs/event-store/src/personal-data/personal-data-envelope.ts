import { createCipheriv, createDecipheriv, createHash } from 'node:crypto';

/**
 * One customer's fields of one event, sealed with AES-256-GCM under that customer's key. Stored in the event's data
 * under `PERSONAL_DATA_KEY` (a list: one envelope per customer the event names); the fields themselves are taken out.
 * The paths are in clear (they say where the values go back, and where an erased marker goes once the key is gone);
 * the values are not. The event id is the additional authenticated data, so an envelope opens only in its own event.
 *
 * The IV is the event id's 16 bytes, not random: appending the same event again must store the same bytes, or the
 * store would take an idempotent retry for a different event. It never repeats under one key for two stored
 * ciphertexts: event ids are unique in the store, an event holds one envelope per customer, and a retry with other
 * content under the same id is refused before anything is stored. (GCM takes a 128-bit IV through GHASH, per NIST
 * SP 800-38D; deriving it from the content instead cost a second HMAC per event.)
 */
export interface PersonalDataEnvelope {
  /** customer_keys.key_id */
  key: string;
  paths: readonly (readonly (string | number)[])[];
  /** base64: 12-byte IV, then the ciphertext, then the 16-byte tag */
  sealed: string;
}

export const PERSONAL_DATA_KEY = '$personalData';

const IV_BYTES = 16;
const TAG_BYTES = 16;

export function seal(key: Buffer, keyId: string, eventId: string, paths: readonly (readonly (string | number)[])[], values: unknown[]): PersonalDataEnvelope {
  const plaintext = Buffer.from(JSON.stringify(values), 'utf8');
  const iv = ivOf(eventId);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.from(eventId, 'utf8'));
  const sealed = Buffer.concat([iv, cipher.update(plaintext), cipher.final(), cipher.getAuthTag()]);
  return { key: keyId, paths, sealed: sealed.toString('base64') };
}

/** The values, in the order of the envelope's paths; throws when the envelope was altered or is not this event's. */
export function open(key: Buffer, eventId: string, envelope: PersonalDataEnvelope): unknown[] {
  const sealed = Buffer.from(envelope.sealed, 'base64');
  const decipher = createDecipheriv('aes-256-gcm', key, sealed.subarray(0, IV_BYTES));
  decipher.setAAD(Buffer.from(eventId, 'utf8'));
  decipher.setAuthTag(sealed.subarray(sealed.length - TAG_BYTES));
  const plaintext = Buffer.concat([decipher.update(sealed.subarray(IV_BYTES, sealed.length - TAG_BYTES)), decipher.final()]);
  return JSON.parse(plaintext.toString('utf8')) as unknown[];
}

export function isEnvelopeList(value: unknown): value is PersonalDataEnvelope[] {
  return Array.isArray(value) && value.every((item) => typeof item?.key === 'string' && Array.isArray(item.paths) && typeof item.sealed === 'string');
}

/** A UUID's own bytes; any other id (none is expected) hashed to as many. */
function ivOf(eventId: string): Buffer {
  const hex = eventId.replaceAll('-', '');
  // Buffer.from stops at the first pair that is not hex: 16 bytes from 32 characters means all of them were.
  const bytes = hex.length === IV_BYTES * 2 ? Buffer.from(hex, 'hex') : null;
  return bytes?.length === IV_BYTES ? bytes : createHash('sha256').update(eventId).digest().subarray(0, IV_BYTES);
}
