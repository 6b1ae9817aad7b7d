import type { EntityManager } from 'typeorm';
import type { RecordedEvent } from '#event-store';

/**
 * One read model: the events it is made from and how a batch of them lands in its tables. Every read model is
 * registered once, in `read-models.ts`; the projector and the rebuild only ever go through that list.
 */
export interface ReadModel {
  name: string;
  /** The streams its events come from: the projector reads the union of every read model's. */
  streamPrefixes: readonly string[];
  /** Its tables, emptied by a rebuild before the events are applied again. */
  tables: readonly string[];
  canHandle(event: RecordedEvent): boolean;
  /**
   * Applies the batch's events it can handle, in store order, inside the batch's transaction. Must be replay-safe:
   * events applied before leave its rows as they are.
   */
  handle(manager: EntityManager, events: readonly RecordedEvent[]): Promise<void>;
  /** The batch's transaction committed (in a rebuild: its page was kept). */
  committed?(): void;
  /** The batch's writes were rolled back: nothing learnt from them may be kept. */
  rolledBack?(): void;
}
