import type pg from 'pg';
import type { DataSource } from 'typeorm';
import { openEventStore, verifyChain, type OpenedEventStore } from '#event-store';
import { PostgresEventStore } from '#event-store/postgres';
import { openReadModel, rebuildReadModels } from '#projections';
import { settleDatabase } from '../catch-up/settle-database.js';
import { openBenchPool } from '../contenders/bench-pool.js';
import { CpuMeter } from '../cpu-meter.js';
import { ChainedSeeder } from './chained-seed.js';
import { AppointmentTimeline } from '../workload/appointment-timeline.js';
import type { BenchEvent } from '../workload/bench-event.js';

/** The salon the scale section grows: 12 staff members, 96 bookings a day (8 each), a week ahead and more. */
export const SCALE_STAFF = 12;
export const BOOKINGS_PER_DAY = 96;
const SEED_CHUNK = 5_000;

export interface GrowthFigure {
  appointments: number;
  events: number;
  /** Seeding the difference from the previous size (not a measurement). */
  seedSeconds: number;
  /** The full rebuild of every read model from the first event, as `npm run projections:rebuild` does. */
  rebuildSeconds: number;
  rebuildEventsPerSecond: number;
  /**
   * Events rebuilt per second of CPU, the rebuild's process and the PostgreSQL server together (null for a server on
   * another machine): a loaded machine stretches the rebuild's time but hardly the work it takes.
   */
  rebuildEventsPerCpuSecond: number | null;
}

/**
 * One ledger database grown size by size: each step writes only the difference (hash chain and all, see
 * ChainedSeeder), rebuilds the read models the way `npm run projections:rebuild`
 * does (timed), then VACUUM ANALYZE as autovacuum would have done on a live ledger.
 */
export class GrowingLedger {
  private readonly timeline: AppointmentTimeline;
  private readonly seeder: ChainedSeeder;
  private appointments = 0;
  private events = 0;

  private constructor(
    private readonly pool: pg.Pool,
    private readonly store: PostgresEventStore,
    private readonly audited: OpenedEventStore,
    private readonly readModel: DataSource,
    private readonly cpu: CpuMeter,
    seed: number,
  ) {
    this.seeder = new ChainedSeeder(pool);
    this.timeline = new AppointmentTimeline(seed, { staffCount: SCALE_STAFF, bookingsPerDay: BOOKINGS_PER_DAY });
  }

  static async open(url: string, postmasterPid: number | null, seed: number): Promise<GrowingLedger> {
    const pool = openBenchPool(url, 4);
    const store = await PostgresEventStore.create(pool);
    const audited = await openEventStore({ postgresUrl: url, poolSize: 2 });
    const readModel = await openReadModel(url);
    return new GrowingLedger(pool, store, audited, readModel, new CpuMeter(postmasterPid), seed);
  }

  /** The day the latest booking was made on: the calendar's "today". */
  today(): number {
    return this.timeline.today();
  }

  async growTo(appointments: number, log: (line: string) => void): Promise<GrowthFigure> {
    const seedStarted = performance.now();
    while (this.appointments < appointments) {
      const chunk: BenchEvent[] = [];
      while (chunk.length < SEED_CHUNK && this.appointments < appointments) {
        const event = this.timeline.next();
        if (event.type === 'AppointmentScheduled') this.appointments += 1;
        chunk.push(event);
      }
      await this.seeder.seed(chunk);
      this.events += chunk.length;
      if (this.events % 250_000 < SEED_CHUNK) log(`scale: ${this.events.toLocaleString('en-US')} events seeded`);
    }
    await this.seeder.flush();
    const seedSeconds = seconds(seedStarted);

    await settleDatabase(this.pool);
    const stopCpu = this.cpu.start();
    const rebuildStarted = performance.now();
    const rebuilt = await rebuildReadModels(this.store, this.readModel);
    const rebuildSeconds = seconds(rebuildStarted);
    const { clientCpuMs, serverCpuMs } = stopCpu();
    if (rebuilt.parked.length > 0) throw new Error(`The rebuild parked ${rebuilt.parked.length} events: ${rebuilt.parked[0].error}`);
    // The rebuild replaced every row: its dead versions and fresh statistics are autovacuum's work on a live ledger.
    await settleDatabase(this.pool);
    return {
      appointments: this.appointments,
      events: this.events,
      seedSeconds,
      rebuildSeconds,
      rebuildEventsPerSecond: Math.round(rebuilt.eventsApplied / rebuildSeconds),
      rebuildEventsPerCpuSecond: serverCpuMs === null ? null : Math.round((rebuilt.eventsApplied * 1000) / (clientCpuMs + serverCpuMs)),
    };
  }

  /** Re-checks the whole hash chain (every event, not only the new ones), as `npm run audit:verify` does; seconds. */
  async verifyChain(): Promise<number> {
    const started = performance.now();
    const report = await this.audited.audit!.withSession((session) => verifyChain(session));
    // The ledger's own events (its first admin) come on top of the seeded ones.
    if (!report.intact || report.checkedEvents < this.events) {
      throw new Error(`The seeded hash chain does not verify (${report.checkedEvents} of ${this.events} events checked): ${JSON.stringify(report.problem)}`);
    }
    return seconds(started);
  }

  async close(): Promise<void> {
    await this.readModel.destroy();
    await this.audited.close();
    await this.store.close();
    await this.pool.end();
  }
}

function seconds(since: number): number {
  return Math.round((performance.now() - since) / 100) / 10;
}
