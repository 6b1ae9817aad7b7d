import { hash } from 'node:crypto';
import { canonicalJson, jsonString } from './canonical-json.js';

/** What an event's hash covers besides its place: everything the caller chose, in canonical form. */
export interface HashedContent {
  eventId: string;
  streamName: string;
  type: string;
  data: unknown;
  metadata: unknown;
}

/** Where the store put it: the revision and recording time are known only when the store writes the event. */
export interface HashedPlace {
  revision: number;
  /** ISO 8601 UTC with milliseconds, as the store reports it. */
  recordedAt: string;
  /** The hash of the stream's previous event; null for revision 0. */
  previousHash: string | null;
}

/** One-shot `hash`: a third less CPU than a createHash object per event on an append's hot path. */
export function sha256Hex(text: string): string {
  return hash('sha256', text, 'hex');
}

/**
 * Two steps so that the store can finish the hash without parsing JSON: the client hashes the content (the
 * canonical JSON, see canonical-json.ts), the store then hashes `{"content","previous","recordedAt","revision"}`
 * (canonical JSON too: keys in that order, hex strings, an ISO time, an integer, nothing to escape).
 */
export function contentDigest(content: HashedContent): string {
  return digestOfCanonical(content, canonicalJson(content.data ?? null), canonicalJson(content.metadata));
}

/**
 * The same digest from data and metadata already in canonical form: an append sends those very texts to the store
 * as its JSON, so each is encoded once. The keys below are in canonical (sorted) order.
 */
export function digestOfCanonical(content: Pick<HashedContent, 'eventId' | 'streamName' | 'type'>, canonicalData: string, canonicalMetadata: string): string {
  return sha256Hex(
    `{"data":${canonicalData},"eventId":${jsonString(content.eventId)},"metadata":${canonicalMetadata},` +
      `"streamName":${jsonString(content.streamName)},"type":${jsonString(content.type)}}`,
  );
}

export function chainedHash(digest: string, place: HashedPlace): string {
  return sha256Hex(canonicalJson({ content: digest, previous: place.previousHash, recordedAt: place.recordedAt, revision: place.revision }));
}

export function eventHash(content: HashedContent, place: HashedPlace): string {
  return chainedHash(contentDigest(content), place);
}

/**
 * The global checkpoint chain: every event's hash folded in the store's global order. Its value after an event is
 * the "head hash" that anchors publish; it starts from GENESIS_HEAD.
 */
export const GENESIS_HEAD = sha256Hex('appointment-ledger:genesis');

export function foldHead(head: string, eventHashHex: string): string {
  return sha256Hex(`${head}${eventHashHex}`);
}
