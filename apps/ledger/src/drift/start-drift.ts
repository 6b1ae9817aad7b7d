import type { DataSource } from 'typeorm';
import type { EventStore, Position } from '#event-store';
import { DriftChecksQueries, DriftLedgerQueries, SyncHealthQueries } from '#projections';
import { CalcomBookingReader, type CalcomBookingsApi } from './calcom-booking-reader.js';
import { defaultDriftSettings, type DriftSettings } from './drift.config.js';
import { DriftHealAppender } from './drift-heal.appender.js';
import { DriftLevelsLoader } from './drift-levels.loader.js';
import { DriftCheckRunner } from './drift-check.runner.js';
import { DriftScheduler } from './drift-scheduler.js';
import { DriftService } from './drift.service.js';

export interface DriftLogger {
  log(message: string, ...context: unknown[]): void;
  warn(message: string, ...context: unknown[]): void;
  error(message: string, ...context: unknown[]): void;
}

export interface StartDriftOptions {
  settings?: DriftSettings;
  store: EventStore;
  readModel: DataSource;
  /** Resolves once the read models include everything up to `position`. */
  waitForReadModel(position: Position): Promise<void>;
  /** Cal.com to compare with (the sync's client, so both share one rate limit); null: checks answer CALCOM_UNAVAILABLE. */
  calcom: CalcomBookingsApi | null;
  /** Start the schedule (`DRIFT_INTERVAL`); off for the command line. */
  schedule: boolean;
  logger?: DriftLogger | false;
  now?: () => Date;
  pageConcurrency?: number;
}

export interface RunningDrift {
  service: DriftService;
  reconciler: DriftCheckRunner | null;
  health: SyncHealthQueries;
  /** Starts the schedule (`DRIFT_INTERVAL`) if it is not running; for the instance that runs the background workers. */
  startSchedule(): void;
  /** Stops the schedule, letting a check in progress finish; on-demand checks still work. */
  stopSchedule(): Promise<void>;
  stop(): Promise<void>;
}

/** Builds the reconciler and its schedule; `stop()` lets a check in progress finish. */
export function startDrift(options: StartDriftOptions): RunningDrift {
  const settings = options.settings ?? defaultDriftSettings;
  const logger = options.logger || undefined;
  const checks = new DriftChecksQueries(options.readModel);
  const ledger = new DriftLedgerQueries(options.readModel);
  const healer = new DriftHealAppender(options.store);
  const reconciler = options.calcom
    ? new DriftCheckRunner(
        options.store,
        new DriftLevelsLoader(ledger, new CalcomBookingReader(options.calcom, { concurrency: options.pageConcurrency })),
        healer,
        checks,
        settings,
        options.now,
        logger && { log: (message) => logger.log(message, 'Drift'), warn: (message) => logger.warn(message, 'Drift') },
      )
    : null;
  const scheduler = reconciler ? new DriftScheduler(reconciler, settings.intervalMs, settings.fullScanEvery, logger || undefined) : null;
  if (options.schedule) scheduler?.start();
  if (logger && !reconciler) logger.warn('No Cal.com configured: drift checks are off', 'Drift');
  return {
    service: new DriftService(reconciler, healer, checks, ledger, options.waitForReadModel),
    reconciler,
    health: new SyncHealthQueries(options.readModel),
    startSchedule: () => scheduler?.start(),
    stopSchedule: async () => scheduler?.stop(),
    stop: async () => scheduler?.stop(),
  };
}
