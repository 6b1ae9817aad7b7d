import type { LoggerService } from '@nestjs/common';
import { DataSource, type QueryRunner } from 'typeorm';

export type WorkersRole = 'leader' | 'standby';

export interface BackgroundWorkers {
  stop(): Promise<void>;
}

export interface BackgroundWorkersLeaderOptions {
  databaseUrl: string;
  /** How often a standby tries to take the lock and the leader checks its lock connection (`WORKER_LEASE_RETRY_MS`). */
  retryMs: number;
  /** Starts the workers that must run in one instance only; called each time this instance becomes leader. */
  startWorkers(): Promise<BackgroundWorkers>;
  logger?: LoggerService | false;
}

export const BACKGROUND_WORKERS_LOCK = 'ledger:background-workers';
/** The lock session's `application_name`, so operators (and tests) can find it in `pg_stat_activity`. */
export const BACKGROUND_WORKERS_APPLICATION_NAME = 'ledger-background-workers';

/**
 * One instance at a time runs the background workers (Cal.com sync, webhook translator, notification sender, drift
 * schedule): the one holding the session advisory lock `ledger:background-workers` on a connection kept for it. The
 * others try again every `retryMs`. PostgreSQL releases the lock when the holder's session ends (process killed), and
 * a standby takes over; a leader that loses its lock connection stops its workers at once (on the connection's error
 * or end, or when the periodic `SELECT 1` fails or does not answer within `retryMs`).
 */
export class BackgroundWorkersLeader {
  private runner: QueryRunner | null = null;
  private session: SessionClient | null = null;
  private workers: BackgroundWorkers | null = null;
  private currentRole: WorkersRole = 'standby';
  private announcedStandby = false;
  private timer: NodeJS.Timeout | null = null;
  private turns: Promise<void> = Promise.resolve();
  private closed = false;

  static async open(options: BackgroundWorkersLeaderOptions): Promise<BackgroundWorkersLeader> {
    const connection = new DataSource({
      type: 'postgres',
      url: options.databaseUrl,
      applicationName: BACKGROUND_WORKERS_APPLICATION_NAME,
      extra: { max: 1 },
    });
    const leader = new BackgroundWorkersLeader(await connection.initialize(), options);
    await leader.take(() => leader.tick());
    leader.scheduleNextTick();
    return leader;
  }

  private constructor(
    private readonly connection: DataSource,
    private readonly options: BackgroundWorkersLeaderOptions,
  ) {}

  get role(): WorkersRole {
    return this.currentRole;
  }

  /** Stops the workers (if leading), then gives the lock back by ending the session. */
  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    await this.take(() => this.stepDown());
    await this.connection.destroy();
  }

  /** One thing at a time: a tick, a step-down on a connection error, closing. */
  private take(turn: () => Promise<void>): Promise<void> {
    this.turns = this.turns.then(turn, turn);
    return this.turns;
  }

  private scheduleNextTick(): void {
    if (this.closed) return;
    this.timer = setTimeout(() => void this.take(() => this.tick()).finally(() => this.scheduleNextTick()), this.options.retryMs);
  }

  private async tick(): Promise<void> {
    if (this.closed) return;
    if (this.currentRole === 'leader') await this.checkLockConnection();
    else await this.tryToLead();
  }

  private async tryToLead(): Promise<void> {
    let locked: boolean;
    try {
      const runner = await this.lockConnection();
      const [row] = await runner.query('SELECT pg_try_advisory_lock(hashtextextended($1, 0)) AS locked', [BACKGROUND_WORKERS_LOCK]);
      locked = row.locked === true;
    } catch (error) {
      this.warn(`Could not try the background workers' lock: ${describe(error)}`);
      await this.dropLockConnection();
      return;
    }
    if (!locked) {
      if (!this.announcedStandby) this.log(`Background workers: standby (another instance holds the lock; trying again every ${this.options.retryMs} ms)`);
      this.announcedStandby = true;
      return;
    }
    this.currentRole = 'leader';
    this.announcedStandby = false;
    this.log('Background workers: leader (this instance runs the Cal.com sync, webhook translator, notification sender and drift schedule)');
    try {
      this.workers = await this.options.startWorkers();
    } catch (error) {
      this.error(`Background workers could not start; giving the lead up: ${describe(error)}`);
      await this.stepDown();
    }
  }

  private async checkLockConnection(): Promise<void> {
    try {
      const runner = this.runner;
      if (!runner || runner.isReleased) throw new Error('the lock connection is gone');
      await withTimeout(runner.query('SELECT 1'), this.options.retryMs);
    } catch (error) {
      this.lockLost(error);
      await this.stepDown();
    }
  }

  private lockLost(reason: unknown): void {
    if (this.currentRole !== 'leader') return;
    this.error(`Background workers: lost the lock connection (${describe(reason)}); stopping the workers`);
  }

  private async stepDown(): Promise<void> {
    const wasLeader = this.currentRole === 'leader';
    this.currentRole = 'standby';
    const workers = this.workers;
    this.workers = null;
    await workers?.stop().catch((error: unknown) => this.error(`Background workers did not stop cleanly: ${describe(error)}`));
    await this.dropLockConnection();
    if (wasLeader && !this.closed) {
      this.log(`Background workers: standby (trying to take the lock again every ${this.options.retryMs} ms)`);
      this.announcedStandby = true;
    }
  }

  private async lockConnection(): Promise<QueryRunner> {
    if (this.runner && !this.runner.isReleased) return this.runner;
    const runner = this.connection.createQueryRunner();
    const client = (await runner.connect()) as SessionClient;
    // Do not wait for the next tick: a leader whose session ended must stop its workers before a standby can start its own.
    const onLoss = (error?: unknown) => {
      if (this.runner !== runner || this.currentRole !== 'leader') return;
      this.lockLost(error ?? new Error('the connection ended'));
      void this.take(() => (this.runner === runner ? this.stepDown() : Promise.resolve()));
    };
    client.on('error', onLoss);
    client.on('end', onLoss);
    this.runner = runner;
    this.session = client;
    return runner;
  }

  /** Ends the session rather than handing it back to the pool: PostgreSQL then releases the lock, if it held it. */
  private async dropLockConnection(): Promise<void> {
    const runner = this.runner;
    const session = this.session;
    this.runner = null;
    this.session = null;
    // Not awaited: on a connection that no longer answers, ending it could hang as long as the query did.
    session?.end().catch(() => undefined);
    await runner?.release().catch(() => undefined);
  }

  private log(message: string): void {
    if (this.options.logger) this.options.logger.log(message, 'BackgroundWorkers');
  }

  private warn(message: string): void {
    if (this.options.logger) this.options.logger.warn(message, 'BackgroundWorkers');
  }

  private error(message: string): void {
    if (this.options.logger) this.options.logger.error(message, 'BackgroundWorkers');
  }
}

/** The driver's client under the query runner: only its events and `end()` are used. */
interface SessionClient {
  on(event: 'error' | 'end', listener: (error?: unknown) => void): void;
  end(): Promise<void>;
}

function withTimeout<T>(work: Promise<T>, timeoutMs: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
