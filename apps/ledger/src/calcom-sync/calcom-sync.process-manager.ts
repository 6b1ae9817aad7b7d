import type { DataSource } from 'typeorm';
import { appointmentStreamPrefix, calcomSyncStreamPrefix, catalogStreamPrefixes } from '#domain';
import { CatchUpSubscription, type SubscriptionLogger, type EventStore, type Position, type RecordedEvent, WaitUntilProcessedTimeoutError } from '#event-store';
import { type CalcomSyncQueries, loadCheckpoint, saveCheckpoint, ReadModelIncidentLog, type Projector } from '#projections';
import { AppointmentWorkQueue } from './appointment-work-queue.js';
import type { CalcomCatalog } from './calcom-catalog.js';
import { SYNC_ACTOR } from './calcom-sync.recorder.js';
import type { CalcomSyncRunner } from './calcom-sync.runner.js';

export const CALCOM_SYNC_SUBSCRIPTION = 'calcom-sync';

export interface CalcomSyncProcessManagerDeps {
  store: EventStore;
  readModel: DataSource;
  projector: Projector;
  queries: CalcomSyncQueries;
  catalog: CalcomCatalog;
  worker: CalcomSyncRunner;
  concurrency: number;
  logger: SubscriptionLogger & { warn?(message: string, ...context: unknown[]): void };
}

/**
 * The outbound half of the Cal.com sync. A catch-up subscription (durable checkpoint) over appointment, sync and
 * catalog streams turns every change into "look at this appointment"; the work queue runs one reconciliation per
 * appointment at a time, several appointments at once. Nothing it keeps in memory matters: on start it re-reads every
 * appointment the read model does not show as synced (in-flight calls, retry timers, owed work) and carries on.
 * So its checkpoint only bounds what a restart goes over again: it is saved every thousand events or five seconds.
 */
export class CalcomSyncProcessManager {
  private readonly queue: AppointmentWorkQueue;
  private readonly subscription: CatchUpSubscription;
  private starting: Promise<void> | null = null;
  private stopped = false;

  constructor(private readonly deps: CalcomSyncProcessManagerDeps) {
    this.queue = new AppointmentWorkQueue((id) => deps.worker.reconcile(id), deps.concurrency, deps.logger);
    this.subscription = new CatchUpSubscription(deps.store, {
      name: CALCOM_SYNC_SUBSCRIPTION,
      streamPrefixes: [appointmentStreamPrefix, calcomSyncStreamPrefix, ...catalogStreamPrefixes],
      batchSize: 500,
      loadCheckpoint: () => loadCheckpoint(deps.readModel.manager, CALCOM_SYNC_SUBSCRIPTION),
      handle: async (events) => this.handle(events),
      // What a batch leads to is kept in the streams and the read model, not by the checkpoint (see recovery): a
      // restart from an older one only looks at settled appointments again, so it is saved now and then.
      deferredCheckpoints: {
        save: (position) => saveCheckpoint(deps.readModel.manager, CALCOM_SYNC_SUBSCRIPTION, position),
        relevant: (event) => !isOwn(event),
        defer: 'all',
      },
      logger: deps.logger,
      incidents: new ReadModelIncidentLog(deps.readModel),
    });
  }

  /** Returns at once; recovery and the subscription run in the background (logged, retried). */
  start(): void {
    this.starting ??= this.recoverThenSubscribe().catch((error: unknown) => {
      this.deps.logger.error('Cal.com sync could not start', error);
    });
  }

  /** Something outside the streams asks for a look now (a retry request already appended, say). */
  touch(appointmentId: string): void {
    this.queue.touch(appointmentId);
  }

  /** Where the subscription is: the position of the last batch it handed to the queue. */
  get position(): Position {
    return this.subscription.position;
  }

  get workload(): { ready: number; running: number; waiting: number } {
    return this.queue.size;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.starting;
    await this.subscription.stop();
    await this.queue.stop();
  }

  private async recoverThenSubscribe(): Promise<void> {
    const checkpoint = await loadCheckpoint(this.deps.readModel.manager, CALCOM_SYNC_SUBSCRIPTION);
    await this.readModelReaches(checkpoint);
    if (this.stopped) return;
    const unsettled = await this.deps.queries.unsettledAppointmentIds();
    if (unsettled.length > 0) this.deps.logger.log(`Cal.com sync resuming ${unsettled.length} appointment(s) not yet in step`);
    for (const appointmentId of unsettled) this.queue.touch(appointmentId);
    if (this.stopped) return;
    await this.subscription.start();
  }

  /** The status rows say what is unsettled only once they include every event up to our checkpoint. */
  private async readModelReaches(position: Position): Promise<void> {
    for (;;) {
      try {
        return await this.deps.projector.waitUntilProcessed(position, 30_000);
      } catch (error) {
        if (this.stopped || !(error instanceof WaitUntilProcessedTimeoutError)) throw error;
        this.deps.logger.log(`Cal.com sync waiting for the read models to reach ${position}`);
      }
    }
  }

  private handle(events: RecordedEvent[]): void {
    for (const event of events) {
      if (event.streamName.startsWith(appointmentStreamPrefix)) this.queue.touch(event.streamName.slice(appointmentStreamPrefix.length));
      else if (event.streamName.startsWith(calcomSyncStreamPrefix)) this.queue.touch(event.streamName.slice(calcomSyncStreamPrefix.length));
      else this.deps.catalog.apply(event);
    }
  }
}

/**
 * The sync's own events were written by a run that is still looking at the appointment (or, from before a restart,
 * are covered by the recovery); a retry request, an observation or a conflict from elsewhere needs a look.
 */
function isOwn(event: RecordedEvent): boolean {
  return event.streamName.startsWith(calcomSyncStreamPrefix) && event.metadata.actor === SYNC_ACTOR;
}
