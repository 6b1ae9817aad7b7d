import { DataSource } from 'typeorm';

/**
 * Serialises changes to the same staff members' calendars across every instance of the ledger,
 * so two overlapping bookings cannot both pass the availability check against the read model.
 * Held from the check until the read model shows the result (see AppointmentCommandService).
 */
export class StaffCalendarLock {
  /**
   * The lock is held while the command waits for the projector, so its connections come from a pool of their own:
   * borrowed from the read models' pool, enough waiting commands would starve the very projector they wait for.
   */
  static async open(databaseUrl: string, maxHolders = 20): Promise<StaffCalendarLock> {
    const connections = new DataSource({ type: 'postgres', url: databaseUrl, extra: { max: maxHolders } });
    return new StaffCalendarLock(await connections.initialize());
  }

  constructor(private readonly dataSource: DataSource) {}

  close(): Promise<void> {
    return this.dataSource.destroy();
  }

  async withLock<T>(staffIds: readonly string[], work: () => Promise<T>): Promise<T> {
    const keys = [...new Set(staffIds)].sort().map((id) => `staff-calendar:${id}`);
    const runner = this.dataSource.createQueryRunner();
    await runner.connect();
    try {
      // Sorted keys: two commands locking the same pair can never wait on each other in opposite order.
      for (const key of keys) await runner.query('SELECT pg_advisory_lock(hashtextextended($1, 0))', [key]);
      return await work();
    } finally {
      await runner.query('SELECT pg_advisory_unlock_all()').catch(() => undefined);
      await runner.release();
    }
  }
}
