import type { RecordedEvent } from '../event-store.port.js';

/** Where `events:copy` writes: a store that takes events at their original revisions and recording times. */
export interface CopyTarget {
  /**
   * Appends consecutive events of one stream, each at the revision it had in the source, keeping its id, data,
   * metadata and recording time. Appending the same events again is a no-op (the copy resumes with overlap).
   */
  appendCopied(streamName: string, events: RecordedEvent[]): Promise<void>;
  /** After a batch's appends, before its checkpoint: what the appends themselves could not carry. Repeatable. */
  completeBatch(events: RecordedEvent[]): Promise<void>;
}
