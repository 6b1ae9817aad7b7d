import { type DynamicModule, Inject, Injectable, Module, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import type { LoggerService } from '@nestjs/common';
import type { EventStore, Position } from '#event-store';
import { LiveClients, type LiveSettings } from './live-clients.js';
import { type LiveChanges, LiveFeed } from './live-feed.js';
import { LiveController } from './live.controller.js';
import { LIVE_SESSIONS, type LiveSessionCheck } from './live.tokens.js';

/** What `event: appointment` says of one appointment, from the read models. */
export interface LiveAppointment {
  appointmentId: string;
  version: number | null;
  status: string | null;
  calcom: Record<string, unknown> | null;
}

export interface LiveRuntime {
  store: EventStore;
  projector: { waitUntilProcessed(position: Position, timeoutMs: number): Promise<void> };
  /** Reads one appointment's part of the read models (the appointments row and its Cal.com sync status). */
  describe(appointmentId: string): Promise<LiveAppointment>;
  sessions: LiveSessionCheck;
  settings: LiveSettings;
  logger: LoggerService | false;
}

const LIVE_RUNTIME = Symbol('LIVE_RUNTIME');

/** Runs the feed for as long as the HTTP server does, and ends every stream before the server closes. */
@Injectable()
class LiveFeedLifecycle implements OnModuleInit, OnModuleDestroy {
  private readonly feed: LiveFeed;

  constructor(
    @Inject(LIVE_RUNTIME) private readonly runtime: LiveRuntime,
    private readonly clients: LiveClients,
  ) {
    this.feed = new LiveFeed({
      store: runtime.store,
      readModelsReached: (position) => runtime.projector.waitUntilProcessed(position, 5_000),
      hasListeners: () => clients.count > 0,
      logger: runtime.logger,
      publish: async (changes: LiveChanges) => {
        for (const appointmentId of changes.appointmentIds) clients.broadcast('appointment', await runtime.describe(appointmentId));
        for (const change of changes.sync) clients.broadcast('sync', change);
      },
    });
  }

  onModuleInit(): Promise<void> {
    return this.feed.start();
  }

  async onModuleDestroy(): Promise<void> {
    this.clients.closeAll();
    await this.feed.stop();
  }
}

/** `describe` from the appointments read model and the Cal.com status lookup, whatever their classes are called. */
export const describeFrom =
  (appointments: { get(id: string): Promise<{ version: number; status: string } | null> }, calcom: { statusOf(id: string): Promise<Record<string, unknown> | null> }) =>
  async (appointmentId: string): Promise<LiveAppointment> => {
    const [summary, status] = await Promise.all([appointments.get(appointmentId), calcom.statusOf(appointmentId)]);
    return { appointmentId, version: summary?.version ?? null, status: summary?.status ?? null, calcom: status };
  };

/** `GET /live`: appointment and sync changes as server-sent events. */
@Module({})
export class LiveModule {
  static register(runtime: LiveRuntime): DynamicModule {
    return {
      module: LiveModule,
      controllers: [LiveController],
      providers: [
        { provide: LIVE_RUNTIME, useValue: runtime },
        { provide: LIVE_SESSIONS, useValue: runtime.sessions },
        { provide: LiveClients, useValue: new LiveClients(runtime.settings) },
        LiveFeedLifecycle,
      ],
    };
  }
}
