import { setTimeout as delay } from 'node:timers/promises';
import type { LoggerService } from '@nestjs/common';
import { appointmentStreamPrefix, calcomSyncStreamPrefix, calcomWebhookStreamPrefix, driftChecksStream } from '#domain';
import type { EventStore, Position, RecordedEvent } from '#event-store';

export type SyncChangeKind = 'calcom-sync' | 'conflict' | 'webhook' | 'drift';

export interface LiveChanges {
  appointmentIds: string[];
  sync: { kind: SyncChangeKind; appointmentId?: string }[];
}

export interface LiveFeedOptions {
  store: EventStore;
  /** Resolves once the read models include `position` (the projector's waitUntilProcessed). */
  readModelsReached(position: Position): Promise<void>;
  /** Called with what one page of new events changed, after the read models show it. */
  publish(changes: LiveChanges): Promise<void>;
  /** Whether anyone listens: without listeners the feed only keeps its place. */
  hasListeners(): boolean;
  logger: LoggerService | false;
}

const STREAMS = [appointmentStreamPrefix, calcomSyncStreamPrefix, calcomWebhookStreamPrefix, driftChecksStream];
const CONFLICT_EVENTS = new Set(['SyncConflictDetected', 'SyncConflictResolved']);

/**
 * Follows the event store from its head (appends wake it through PostgreSQL's LISTEN/NOTIFY, see the store's
 * `waitForEventsAfter`) and, once the read models have taken in a page, says which appointments and which parts of the
 * sync changed. Every instance runs its own, so a stream opened on any instance hears every change. Not durable: a
 * browser that reconnects refetches what it shows.
 */
export class LiveFeed {
  private readonly stopping = new AbortController();
  private running: Promise<void> | null = null;

  constructor(private readonly options: LiveFeedOptions) {}

  async start(): Promise<void> {
    const head = await this.options.store.headPosition();
    this.running = this.follow(head);
  }

  async stop(): Promise<void> {
    this.stopping.abort();
    await this.running;
  }

  private async follow(from: Position): Promise<void> {
    const { store, logger } = this.options;
    let position = from;
    while (!this.stopping.signal.aborted) {
      try {
        const page = await store.readAll({ after: position, limit: 500, streamPrefixes: STREAMS });
        if (page.events.length === 0 && store.comparePositions(page.position, position) <= 0) {
          await store.waitForEventsAfter(position, this.stopping.signal);
          continue;
        }
        if (page.events.length > 0 && this.options.hasListeners()) {
          // Listeners refetch on a change; they must then see it, so the read models go first (briefly, at worst).
          await Promise.race([
            this.options.readModelsReached(page.position).catch(() => undefined),
            delay(5_000, undefined, { signal: this.stopping.signal }).catch(() => undefined),
          ]);
          await this.options.publish(changesIn(page.events));
        }
        position = page.position;
      } catch (error) {
        if (this.stopping.signal.aborted) return;
        if (logger) logger.warn(`live feed: ${String(error)}; trying again in 1 s`, 'LiveFeed');
        await delay(1_000, undefined, { signal: this.stopping.signal }).catch(() => undefined);
      }
    }
  }
}

export function changesIn(events: readonly RecordedEvent[]): LiveChanges {
  const appointmentIds = new Set<string>();
  const sync = new Map<string, LiveChanges['sync'][number]>();
  const note = (kind: SyncChangeKind, appointmentId?: string) => sync.set(`${kind}:${appointmentId ?? ''}`, appointmentId ? { kind, appointmentId } : { kind });
  for (const event of events) {
    const { streamName } = event;
    if (streamName.startsWith(appointmentStreamPrefix)) appointmentIds.add(streamName.slice(appointmentStreamPrefix.length));
    else if (streamName.startsWith(calcomSyncStreamPrefix)) {
      const appointmentId = streamName.slice(calcomSyncStreamPrefix.length);
      appointmentIds.add(appointmentId);
      note(CONFLICT_EVENTS.has(event.type) ? 'conflict' : 'calcom-sync', appointmentId);
    } else if (streamName.startsWith(calcomWebhookStreamPrefix)) {
      const appointmentId = (event.data as { appointmentId?: unknown } | null)?.appointmentId;
      if (typeof appointmentId === 'string') appointmentIds.add(appointmentId);
      note('webhook', typeof appointmentId === 'string' ? appointmentId : undefined);
    } else if (streamName === driftChecksStream) note('drift');
  }
  return { appointmentIds: [...appointmentIds], sync: [...sync.values()] };
}
