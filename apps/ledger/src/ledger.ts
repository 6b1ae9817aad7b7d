import 'reflect-metadata';
import { resolve } from 'node:path';
import { ConsoleLogger, type INestApplication, type LoggerService } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication, NestExpressBodyParserOptionsFor } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { DataSource, type DataSourceOptions } from 'typeorm';
import { startEmbeddedPostgres, type EmbeddedDatabase } from '#database';
import { SILENT_SUBSCRIPTION_LOGGER, openEventStore } from '#event-store';
import { openReadModel, Projector } from '#projections';
import { BackgroundWorkersLeader } from './background-workers.leader.js';
import { AuditAnchorSchedule } from './audit/audit-anchor.schedule.js';
import { startBackgroundWorkers } from './background-workers.js';
import { startCalcomInboundWorkers } from './calcom-webhooks/calcom-inbound.workers.js';
import { exceptWebhookDeliveries, readRawWebhookBody, WEBHOOK_PATH } from './calcom-webhooks/webhook-raw-body.js';
import { CalcomWebhookSecrets } from './calcom-connect/calcom-webhook-secrets.js';
import { WebhookIntakeLoad } from './calcom-webhooks/webhook-intake-load.js';
import { answerWebhookDeliveries } from './calcom-webhooks/webhook-delivery.handler.js';
import { CalcomWebhookIntake } from './calcom-webhooks/calcom-webhook.intake.js';
import { type RunningCalcomSync, startCalcomSync, withSandboxWebhookSecret } from './calcom-sync/start-calcom-sync.js';
import { DEFAULT_WORKER_LEASE_RETRY_MS, type LedgerConfig } from './config.js';
import { startDrift } from './drift/start-drift.js';
import { validationPipe } from './http/validation.js';
import { applyHttpServerLimits } from './http/http-server-limits.js';
import { methodNotAllowed } from './http/method-not-allowed.js';
import { hostHeaderGuard, JSON_BODY_LIMIT, jsonBodyGuard, jsonContentTypeGuard, queryGuard, refuseInvalidUtf8, requestSizeGuard } from './http/request-guards.js';
import { LedgerModule } from './ledger.module.js';
import { LedgerMetrics } from './observability/metrics.js';
import { readYourWrites } from './read-your-writes.js';
import { StaffCalendarLock } from './appointments/staff-calendar.lock.js';
import { type RunningAuth, startAuth } from './auth/start-auth.js';
import { defaultAuthSettings } from './auth/auth.config.js';
import { serveAdminUi } from './admin-ui-serving/admin-ui.serving.js';

export interface RunningLedger {
  /** e.g. http://127.0.0.1:3000 */
  url: string;
  app: INestApplication;
  databaseUrl: string;
  /** The outbound Cal.com sync (and the in-process sandbox when there is no key); null without Cal.com settings. */
  calcomSync: RunningCalcomSync | null;
  /** Whether this instance runs the background workers (`leader`) or waits for the lock (`standby`). */
  backgroundWorkers: BackgroundWorkersLeader;
  /** Accounts and sessions (the users CLI's and the tests' way to add people). */
  auth: RunningAuth;
  close(): Promise<void>;
}

export interface StartLedgerOptions {
  logger?: LoggerService | false;
  now?: () => Date;
}

/**
 * Starts the whole ledger: database (embedded when no URL is given), event store, read models and their projector,
 * the background workers (in whichever instance holds their lock, see background-workers.leader.ts), then the HTTP
 * API. Everything started here is stopped by `close()`, in reverse order.
 */
export async function startLedger(config: LedgerConfig, options: StartLedgerOptions = {}): Promise<RunningLedger> {
  const logger = options.logger ?? new ConsoleLogger('ledger', { json: true });
  config = withSandboxWebhookSecret(config);
  const stack: (() => Promise<unknown>)[] = [];
  const close = async () => {
    for (const stop of stack.reverse()) await stop().catch(() => undefined);
  };
  try {
    let databaseUrl = config.databaseUrl;
    if (!databaseUrl) {
      const embedded: EmbeddedDatabase = await startEmbeddedPostgres({ dataDir: config.dataDir, notice: (line) => logger && logger.warn(line, 'Database') });
      stack.push(() => embedded.stop());
      databaseUrl = embedded.url;
      if (logger) logger.log(`No DATABASE_URL: using the embedded PostgreSQL in ${config.dataDir}/postgres`, 'Database');
    }
    const eventStore = await openEventStore({ postgresUrl: databaseUrl, eventStoreDbUrl: config.eventStoreUrl });
    stack.push(() => eventStore.close());
    const readModel = await openReadModel(databaseUrl);
    stack.push(() => readModel.destroy());
    // The projector on connections of its own: reads and commands filling the shared pool must not hold up the
    // batches that their read-your-writes waits (and the calendar checks under the staff lock) are waiting for.
    const projectorConnections = await new DataSource({
      ...readModel.options,
      extra: { ...(readModel.options as { extra?: object }).extra, max: 2 },
    } as DataSourceOptions).initialize();
    stack.push(() => projectorConnections.destroy());
    const projector = new Projector(eventStore.store, projectorConnections, { logger: logger === false ? SILENT_SUBSCRIPTION_LOGGER : logger });
    await projector.start();
    stack.push(() => projector.stop());
    const waitForReadModel = readYourWrites(projector, config.readYourWritesTimeoutMs, logger);
    const calendarLock = await StaffCalendarLock.open(databaseUrl);
    stack.push(() => calendarLock.close());
    const calcomSync = await startCalcomSync({ config, store: eventStore.store, readModel, projector, logger });
    if (calcomSync) stack.push(() => calcomSync.stop());
    const drift = startDrift({
      settings: config.drift,
      store: eventStore.store,
      readModel,
      waitForReadModel,
      calcom: calcomSync?.client ?? null,
      schedule: false,
      logger,
      now: options.now,
    });
    stack.push(() => drift.stop());
    const webhookIntakeLoad = new WebhookIntakeLoad();
    const backgroundWorkers = await BackgroundWorkersLeader.open({
      databaseUrl,
      retryMs: config.workerLeaseRetryMs ?? DEFAULT_WORKER_LEASE_RETRY_MS,
      logger,
      startWorkers: () =>
        startBackgroundWorkers({
          calcomSync,
          drift,
          auditAnchors: eventStore.audit ? new AuditAnchorSchedule(eventStore.audit, logger) : null,
          startInbound: () =>
            startCalcomInboundWorkers({
              config,
              store: eventStore.store,
              readModel,
              readModels: projector,
              postgresEventStoreUrl: config.eventStoreUrl ? null : databaseUrl,
              logger,
              intake: webhookIntakeLoad,
            }),
        }),
    });
    stack.push(() => backgroundWorkers.close());
    const auth = await startAuth({ databaseUrl, store: eventStore.store, settings: config.auth, logger });
    stack.push(() => auth.close());
    const webhookSecrets = await CalcomWebhookSecrets.open(readModel, options.now);

    const app = await NestFactory.create<NestExpressApplication>(
      LedgerModule.register({
        config,
        store: eventStore.store,
        readModel,
        projector,
        calendarLock,
        waitForReadModel,
        calcomSync,
        drift,
        backgroundWorkers,
        auth,
        webhookSecrets,
        webhookIntakeLoad,
        audit: eventStore.audit,
        logger,
        now: options.now,
      }),
      { logger: logger === false ? false : logger, bufferLogs: false },
    );
    app.useGlobalPipes(validationPipe);
    // The boundary, in order: method, sizes and query before any body is read; the body's type, bytes and shape
    // before the validation pipe transforms it (see http/request-guards.ts).
    applyHttpServerLimits(app.getHttpServer());
    app.use(hostHeaderGuard, methodNotAllowed(app.getHttpAdapter().getInstance()), requestSizeGuard, queryGuard);
    // Webhooks are verified on their exact bytes: read raw, ahead of the JSON parser, and answered there (see
    // webhook-delivery.handler.ts).
    app.use(WEBHOOK_PATH, readRawWebhookBody(), answerWebhookDeliveries(app.get(CalcomWebhookIntake), app.get(LedgerMetrics).httpRequests));
    app.use(jsonContentTypeGuard([WEBHOOK_PATH]));
    // `verify` is express.json's own option; Nest leaves it out of the type because its rawBody mode uses it.
    app.useBodyParser('json', { limit: JSON_BODY_LIMIT, verify: refuseInvalidUtf8 } as NestExpressBodyParserOptionsFor<'json'>);
    app.use(jsonBodyGuard);
    app.disable('x-powered-by');
    // Only behind a proxy that says so are X-Forwarded-For / -Proto believed: the client's address for the sign-in
    // throttle, and TLS for the session cookie's Secure flag.
    app.set('trust proxy', (config.auth ?? defaultAuthSettings).trustProxy);
    // A delivery carries no cookie and is judged by its signature alone: no session to load, make or save for it.
    app.use(exceptWebhookDeliveries(auth.sessions.middleware));
    serveAdminUi(app, config.adminUiDir ?? resolve('dist/admin-ui'));
    const document = SwaggerModule.createDocument(
      app,
      new DocumentBuilder()
        .setTitle('Appointment ledger')
        .setDescription('Event-sourced appointments in two-way sync with Cal.com')
        .setVersion('1')
        .addBearerAuth()
        .addCookieAuth('ledger_session', { type: 'apiKey', in: 'cookie', description: 'From POST /auth/sign-in; every change also needs X-CSRF-Token' }, 'ledger_session')
        .build(),
    );
    SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'docs/openapi.json' });
    await app.listen(config.port, config.host);
    stack.push(() => app.close());
    const address = app.getHttpServer().address() as { port: number };
    const host = config.host === '0.0.0.0' ? '127.0.0.1' : config.host;
    const url = `http://${host}:${address.port}`;
    calcomSync?.ledgerListening(url);
    return { url, app, databaseUrl, calcomSync, backgroundWorkers, auth, close };
  } catch (error) {
    await close();
    throw error;
  }
}
