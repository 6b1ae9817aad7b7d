import type { RecordedEvent } from '#event-store';

/**
 * Where a read model's batch reads and writes, inside the batch's transaction: a TypeORM EntityManager, or the live
 * projector's BatchRoundTrips, which holds writes back and sends them with the batch's next round trip. Either way the
 * statements run in the order they were given, and a load sees every write given before it.
 */
export interface ReadModelSql {
  /** A load: its rows are needed now. */
  query<Rows = unknown[]>(sql: string, parameters?: unknown[]): Promise<Rows>;
  /** A write whose answer nobody reads; without this method, `query` runs it. */
  write?(sql: string, parameters: unknown[]): Promise<void>;
}

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
  handle(sql: ReadModelSql, events: readonly RecordedEvent[]): Promise<void>;
  /** The batch's transaction committed (in a rebuild: its page was kept). */
  committed?(): void;
  /** The batch's writes were rolled back: nothing learnt from them may be kept. */
  rolledBack?(): void;
}
