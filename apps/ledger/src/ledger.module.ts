import { type DynamicModule, type LoggerService, type MiddlewareConsumer, Module, type NestModule } from '@nestjs/common';
import { APP_FILTER, APP_GUARD } from '@nestjs/core';
import { CqrsModule } from '@nestjs/cqrs';
import type { DataSource } from 'typeorm';
import { type EventStore, type AuditLog, PersonalDataEventStore } from '#event-store';
import { AuditModule } from './audit/audit.module.js';
import { CustomerErasureModule } from './customer-erasure/customer-erasure.module.js';
import { AppointmentsQueries, CalcomSyncQueries, CatalogQueries, type Projector } from '#projections';
import { AppointmentCommandService } from './appointments/appointment-command.service.js';
import { AppointmentFacts } from './appointments/appointment-facts.js';
import { CalcomSlotCheck } from './appointments/calcom-slot-check.js';
import { AppointmentsController } from './appointments/appointments.controller.js';
import { CalcomStatusLookup } from './appointments/calcom-status.lookup.js';
import { CancelAppointmentHandler } from './appointments/cancel-appointment.command.js';
import { CalcomInboundModule } from './calcom-webhooks/calcom-inbound.module.js';
import { ChangeServiceHandler } from './appointments/change-service.command.js';
import { DeskActionHandler } from './appointments/desk-action.command.js';
import { GetAppointmentHandler } from './appointments/get-appointment.query.js';
import { GetHistoryHandler } from './appointments/get-history.query.js';
import { ListAppointmentsHandler } from './appointments/list-appointments.query.js';
import { ReassignStaffHandler } from './appointments/reassign-staff.command.js';
import { RescheduleAppointmentHandler } from './appointments/reschedule-appointment.command.js';
import { ScheduleAppointmentHandler } from './appointments/schedule-appointment.command.js';
import { StaffCalendarLock } from './appointments/staff-calendar.lock.js';
import { CalcomSyncStatusLookup } from './calcom-sync/calcom-sync-status.lookup.js';
import { CalcomSyncModule } from './calcom-sync/calcom-sync.module.js';
import type { RunningCalcomSync } from './calcom-sync/start-calcom-sync.js';
import { AuthGuard } from './auth/auth.guard.js';
import { AppointmentsBulkController } from './appointments-bulk/appointments-bulk.controller.js';
import { appointmentsBulkProviders } from './appointments-bulk/appointments-bulk.providers.js';
import { StaffAbsencesController } from './staff-absences/staff-absences.controller.js';
import { staffAbsenceProviders } from './staff-absences/staff-absences.providers.js';
import { StaffPresence } from './staff-absences/staff-presence.js';
import { AuthModule } from './auth/auth.module.js';
import type { RunningAuth } from './auth/start-auth.js';
import { UiConfigController } from './admin-ui-serving/ui-config.controller.js';
import { defaultLiveSettings } from './live/live-clients.js';
import { describeFrom, LiveModule } from './live/live.module.js';
import { DriftModule } from './drift/drift.module.js';
import { CalcomConnectModule } from './calcom-connect/calcom-connect.module.js';
import type { CalcomWebhookSecrets } from './calcom-connect/calcom-webhook-secrets.js';
import type { WebhookIntakeLoad } from './calcom-webhooks/webhook-intake-load.js';
import type { RunningDrift } from './drift/start-drift.js';
import { CatalogController } from './catalog/catalog.controller.js';
import { CatalogCommandService } from './catalog/catalog-command.service.js';
import { SaveServiceHandler } from './catalog/save-service.command.js';
import { SaveStaffMemberHandler } from './catalog/save-staff-member.command.js';
import type { LedgerConfig } from './config.js';
import { HttpExceptionFilter } from './http/http-exception.filter.js';
import { correlationIdMiddleware } from './http/request-context.js';
import { HttpMetricsMiddleware } from './observability/http-metrics.middleware.js';
import { LedgerMetrics } from './observability/metrics.js';
import { readModelsCaughtUp } from './read-your-writes.js';
import { ObservabilityController } from './observability/observability.controller.js';
import { SubscriptionHealth } from './observability/subscription-health.js';
import { BACKGROUND_WORKERS, EVENT_STORE, LEDGER_CONFIG, PROJECTOR } from './ledger.tokens.js';
import type { WorkersRole } from './background-workers.leader.js';

/** What the module is built from: made (and closed) by `startLedger`, outside Nest's container. */
export interface LedgerRuntime {
  config: LedgerConfig;
  store: EventStore;
  readModel: DataSource;
  projector: Projector;
  calendarLock: StaffCalendarLock;
  /** Resolves once the read models show a write (see read-your-writes.ts). */
  waitForReadModel(position: string): Promise<void>;
  /** The running outbound sync, if any: `POST /appointments/{id}/sync` wakes it. */
  calcomSync?: RunningCalcomSync | null;
  /** The drift report and sync health endpoints. */
  drift?: RunningDrift;
  /** Whether this instance runs the background workers; `/health` reports it. */
  backgroundWorkers?: { readonly role: WorkersRole };
  /** Accounts and sessions: sign-in, the session half of the AuthGuard, `/live` for signed-in people. */
  auth?: RunningAuth;
  /** The connected webhook subscriptions' secrets: one instance for the intake and connect, so a rotation here applies here at once. */
  webhookSecrets: CalcomWebhookSecrets;
  /** The webhook intake's load, which this process's translator gives way to. */
  webhookIntakeLoad?: WebhookIntakeLoad;
  /** The hash chain's `/audit/*` endpoints (PostgreSQL only). */
  audit?: AuditLog | null;
  logger?: LoggerService | false;
  now?: () => Date;
}

@Module({})
export class LedgerModule implements NestModule {
  static register(runtime: LedgerRuntime): DynamicModule {
    const { waitForReadModel } = runtime;
    const appointments = new AppointmentsQueries(runtime.readModel);
    const metrics = new LedgerMetrics();
    const calcomSyncQueries = new CalcomSyncQueries(runtime.readModel);
    return {
      module: LedgerModule,
      imports: [
        CalcomInboundModule.register({
          config: runtime.config,
          store: runtime.store,
          readModel: runtime.readModel,
          waitForReadModel,
          webhookSecrets: runtime.webhookSecrets,
          intakeLoad: runtime.webhookIntakeLoad,
          metrics: metrics.registry,
          now: runtime.now,
        }),
        CqrsModule.forRoot(),
        CalcomSyncModule.register(runtime.store, runtime.calcomSync, metrics.registry),
        ...(runtime.drift ? [DriftModule.register(runtime.drift, metrics.registry, runtime.now)] : []),
        CalcomConnectModule.register({
          config: runtime.config,
          store: runtime.store,
          readModel: runtime.readModel,
          webhookSecrets: runtime.webhookSecrets,
          client: runtime.calcomSync?.client ?? null,
          now: runtime.now,
        }),
        ...(runtime.auth ? [AuthModule.register(runtime.auth)] : []),
        ...(runtime.audit ? [AuditModule.register(runtime.audit, PersonalDataEventStore.protectionOf(runtime.store))] : []),
        ...CustomerErasureModule.register(runtime),
        LiveModule.register({
          store: runtime.store,
          projector: runtime.projector,
          describe: describeFrom(appointments, new CalcomSyncStatusLookup(calcomSyncQueries)),
          sessions: { stillSignedIn: (sessionId, userId) => runtime.auth?.stillSignedIn(sessionId, userId) ?? Promise.resolve(false) },
          settings: runtime.config.live ?? defaultLiveSettings,
          logger: runtime.logger ?? false,
        }),
      ],
      controllers: [AppointmentsController, AppointmentsBulkController, StaffAbsencesController, CatalogController, ObservabilityController, UiConfigController],
      providers: [
        { provide: LEDGER_CONFIG, useValue: runtime.config },
        { provide: EVENT_STORE, useValue: runtime.store },
        { provide: PROJECTOR, useValue: runtime.projector },
        { provide: BACKGROUND_WORKERS, useValue: runtime.backgroundWorkers ?? null },
        { provide: AppointmentsQueries, useValue: appointments },
        { provide: CatalogQueries, useValue: new CatalogQueries(runtime.readModel) },
        { provide: LedgerMetrics, useValue: metrics },
        { provide: SubscriptionHealth, useValue: new SubscriptionHealth(runtime.readModel, runtime.projector, metrics) },
        { provide: CalcomSyncQueries, useValue: calcomSyncQueries },
        { provide: CalcomStatusLookup, useValue: new CalcomSyncStatusLookup(calcomSyncQueries) },
        {
          provide: AppointmentCommandService,
          useValue: new AppointmentCommandService(
            runtime.store,
            runtime.calendarLock,
            waitForReadModel,
            readModelsCaughtUp(runtime.projector, runtime.store),
            runtime.config.readYourWritesTimeoutMs,
            new StaffPresence(runtime.store),
          ),
        },
        { provide: AppointmentFacts, useValue: new AppointmentFacts(runtime.store, appointments, runtime.now) },
        {
          provide: CalcomSlotCheck,
          useFactory: (facts: AppointmentFacts) =>
            new CalcomSlotCheck(runtime.calcomSync?.client ?? null, async (id) => (await calcomSyncQueries.statusOf(id))?.bookingUid ?? null, facts, {
              timeoutMs: runtime.config.calcom?.slotCheckTimeoutMs,
            }),
          inject: [AppointmentFacts],
        },
        { provide: CatalogCommandService, useValue: new CatalogCommandService(runtime.store, waitForReadModel) },
        ...appointmentsBulkProviders(runtime.readModel),
        ...staffAbsenceProviders({
          store: runtime.store,
          readModel: runtime.readModel,
          calendarLock: runtime.calendarLock,
          caughtUp: readModelsCaughtUp(runtime.projector, runtime.store),
          timeoutMs: runtime.config.readYourWritesTimeoutMs,
        }),
        { provide: APP_GUARD, useClass: AuthGuard },
        { provide: APP_FILTER, useClass: HttpExceptionFilter },
        ScheduleAppointmentHandler,
        RescheduleAppointmentHandler,
        CancelAppointmentHandler,
        ReassignStaffHandler,
        ChangeServiceHandler,
        DeskActionHandler,
        SaveStaffMemberHandler,
        SaveServiceHandler,
        GetAppointmentHandler,
        GetHistoryHandler,
        ListAppointmentsHandler,
        HttpMetricsMiddleware,
      ],
    };
  }

  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(correlationIdMiddleware, HttpMetricsMiddleware).forRoutes('*path');
  }
}
