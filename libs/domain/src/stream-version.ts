/*
 * One stream, two numbers, one name each. A `revision` is an event's zero-based place in its stream, the event
 * store's word (the first event is revision 0). A `version` is the number a client sees and may send back
 * (`version` in answers and lists, `ETag`, `If-Match`): how many events the stream holds, 0 before the first.
 * These are the only places one becomes the other.
 */

/** The version of a stream whose last event is at `revision`. */
export const versionAfter = (revision: number): number => revision + 1;

/** The revision of the last event of a stream at `version`; -1 for a stream with no events. */
export const lastRevisionAt = (version: number): number => version - 1;

/** What an append expects when the caller last saw `version`: no stream at 0, else the last event's revision. */
export const expectedRevisionAt = (version: number): number | 'no_stream' => (version === 0 ? 'no_stream' : lastRevisionAt(version));

/** The version a store's `actual` revision (from a refused append) stands for. */
export const versionAtRevision = (actual: number | 'no_stream'): number => (actual === 'no_stream' ? 0 : versionAfter(actual));
