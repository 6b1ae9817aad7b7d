import { randomUUID } from 'node:crypto';
import { type CatalogEvent, decideSave, latestSaved, VersionConflictError } from '../../../../libs/domain/src/index.js';
import {
  type EventMetadata,
  type EventStore,
  WrongExpectedRevisionError,
} from '../../../../libs/event-store/src/event-store.port.js';

/** Full replacement of one catalog entry in its own stream; saving the same fields again records nothing. */
export class SaveCatalogEntry {
  constructor(
    private readonly store: EventStore,
    private readonly waitForReadModel: (position: string) => Promise<void>,
  ) {}

  async save<E extends CatalogEvent>(streamName: string, event: E, metadata: EventMetadata): Promise<{ version: number; created: boolean }> {
    const history = (await this.store.readStream(streamName)) as unknown as E[];
    const events = decideSave(latestSaved(history), event);
    if (events.length === 0) return { version: history.length, created: false };
    try {
      const result = await this.store.appendToStream(
        streamName,
        events.map(({ type, data }) => ({ id: randomUUID(), type, data, metadata })),
        { expectedRevision: history.length === 0 ? 'no_stream' : history.length - 1 },
      );
      await this.waitForReadModel(result.position);
      return { version: result.nextExpectedRevision + 1, created: history.length === 0 };
    } catch (error) {
      if (error instanceof WrongExpectedRevisionError) throw new VersionConflictError(streamName, history.length, null);
      throw error;
    }
  }
}
