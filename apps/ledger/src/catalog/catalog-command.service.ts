import { randomUUID } from 'node:crypto';
import { type CatalogCommand, catalogDecider, catalogStreamOf, expectedRevisionAt, VersionConflictError, versionAfter } from '#domain';
import { aggregateStream, type EventMetadata, type EventStore, WrongExpectedRevisionError } from '#event-store';

export interface CatalogCommandResult {
  /** Events in the entry's stream after the command (unchanged when the command changed nothing). */
  version: number;
}

/** The one way a catalog entry changes: read its stream, fold, decide, append at the revision read. */
export class CatalogCommandService {
  constructor(
    private readonly store: EventStore,
    private readonly waitForReadModel: (position: string) => Promise<void>,
  ) {}

  async execute(command: CatalogCommand, metadata: EventMetadata): Promise<CatalogCommandResult> {
    const streamName = catalogStreamOf(command);
    const { state, eventCount: version } = await aggregateStream(this.store, streamName, catalogDecider);
    const events = catalogDecider.decide(command, state);
    if (events.length === 0) return { version };
    try {
      const result = await this.store.appendToStream(
        streamName,
        events.map(({ type, data }) => ({ id: randomUUID(), type, data, metadata })),
        { expectedRevision: expectedRevisionAt(version) },
      );
      await this.waitForReadModel(result.position);
      return { version: versionAfter(result.nextExpectedRevision) };
    } catch (error) {
      if (error instanceof WrongExpectedRevisionError) throw new VersionConflictError(streamName, version, null);
      throw error;
    }
  }
}
