import { DataSource, type QueryRunner } from 'typeorm';
import { CommandTimeoutError } from '#domain';
import { IDLE_CONNECTION_MS } from '#event-store';

/** What a command may lock once it holds its appointment: the staff calendars its change may fill. */
export interface AppointmentLocks {
  /** Locks these staff members' calendars (in a fixed order); callable once per turn. */
  lockCalendars(staffIds: readonly string[]): Promise<void>;
}

const LOCK_NOT_AVAILABLE = '55P03';

/**
 * Serialises the changes of one appointment, and of the staff calendars they fill, across every instance of the
 * ledger (PostgreSQL session advisory locks): two overlapping bookings cannot both pass the availability check, and
 * two changes of one appointment never race for its stream. Every wait ends at the caller's deadline with a
 * CommandTimeoutError; nothing is held after `withAppointment` returns.
 *
 * Deadlock-free: a turn takes its one appointment lock first, then its staff locks in sorted order, and nothing else
 * takes these locks. A turn holds one connection of the pool from start to end and never asks for a second.
 */
export class StaffCalendarLock {
  /**
   * The locks are held while the command waits for the projector, so their connections come from a pool of their
   * own: borrowed from the read models' pool, enough waiting commands would starve the very projector they wait for.
   */
  static async open(databaseUrl: string, maxHolders = 20): Promise<StaffCalendarLock> {
    const connections = new DataSource({ type: 'postgres', url: databaseUrl, extra: { max: maxHolders, idleTimeoutMillis: IDLE_CONNECTION_MS } });
    return new StaffCalendarLock(await connections.initialize(), maxHolders);
  }

  private readonly turns: TurnQueue;

  constructor(
    private readonly dataSource: DataSource,
    maxHolders: number,
  ) {
    this.turns = new TurnQueue(maxHolders);
  }

  close(): Promise<void> {
    return this.dataSource.destroy();
  }

  /**
   * Holds locks that are not an appointment's turn while `work` runs: a staff member's calendar (no command fills it
   * meanwhile), or a named lock that only work of one kind takes (e.g. planning absences one at a time). The work may
   * run commands itself, on other connections, so it must not hold a calendar that those commands will lock.
   */
  async holding<T>(locks: { calendars?: readonly string[]; named?: string }, deadline: number, timeout: (waitingFor: string) => Error, work: () => Promise<T>): Promise<T> {
    return this.inTurn(locks.named ? `named:${locks.named}` : null, deadline, timeout, async (calendars) => {
      if (locks.calendars?.length) await calendars.lockCalendars(locks.calendars);
      return work();
    });
  }

  async withAppointment<T>(appointmentId: string, deadline: number, work: (locks: AppointmentLocks) => Promise<T>): Promise<T> {
    const started = Date.now();
    const timeout = (waitingFor: string) => new CommandTimeoutError({ appointmentId, waitingFor, waitedMs: Date.now() - started });
    return this.inTurn(`appointment:${appointmentId}`, deadline, timeout, work, `appointment ${appointmentId} (another change of it in progress)`);
  }

  private async inTurn<T>(
    firstKey: string | null,
    deadline: number,
    timeout: (waitingFor: string) => Error,
    work: (locks: AppointmentLocks) => Promise<T>,
    firstWaitingFor = `${firstKey}`,
  ): Promise<T> {
    if (!(await this.turns.enter(deadline))) throw timeout('a free lock connection (too many concurrent commands)');
    let runner: QueryRunner | null = null;
    try {
      runner = this.dataSource.createQueryRunner();
      await runner.connect();
      const locked = runner;
      const lock = async (key: string, waitingFor: string) => {
        if (!(await advisoryLock(locked, key, deadline))) throw timeout(waitingFor);
      };
      if (firstKey) await lock(firstKey, firstWaitingFor);
      let calendarsLocked = false;
      return await work({
        lockCalendars: async (staffIds) => {
          if (calendarsLocked) throw new Error('Staff calendars are locked once per turn, in one sorted go');
          calendarsLocked = true;
          // Sorted keys: two commands locking the same pair can never wait on each other in opposite order.
          for (const staffId of [...new Set(staffIds)].filter(Boolean).sort()) {
            await lock(`staff-calendar:${staffId}`, `the calendar of staff member ${staffId} (other changes to it in progress)`);
          }
        },
      });
    } finally {
      try {
        if (runner) {
          await runner.query(`SELECT pg_advisory_unlock_all(), set_config('lock_timeout', '0', false)`).catch(() => undefined);
          await runner.release();
        }
      } finally {
        this.turns.leave();
      }
    }
  }
}

/**
 * Waits for the lock no longer than the deadline. The wait is bounded by the server (`lock_timeout`), never by
 * giving up on the client's side, which would leave a lock to be granted later on a connection back in the pool.
 */
async function advisoryLock(runner: QueryRunner, key: string, deadline: number): Promise<boolean> {
  // A free lock (the usual case) in one round trip: it is held while the command works, so each one counts.
  const [{ locked }] = await runner.query('SELECT pg_try_advisory_lock(hashtextextended($1, 0)) AS locked', [key]);
  const remainingMs = Math.floor(deadline - Date.now());
  if (locked || remainingMs < 1) return locked;
  await runner.query(`SELECT set_config('lock_timeout', $1, false)`, [`${remainingMs}ms`]);
  try {
    await runner.query('SELECT pg_advisory_lock(hashtextextended($1, 0))', [key]);
    return true;
  } catch (error) {
    if ((error as { code?: unknown }).code === LOCK_NOT_AVAILABLE) return false;
    throw error;
  }
}

/** At most `size` turns at once; the others wait in arrival order until their deadline (never for ever). */
class TurnQueue {
  private free: number;
  private readonly waiting: { admit(): void }[] = [];

  constructor(size: number) {
    this.free = size;
  }

  enter(deadline: number): Promise<boolean> {
    if (this.free > 0 && this.waiting.length === 0) {
      this.free--;
      return Promise.resolve(true);
    }
    return new Promise((resolve) => {
      const waiter = {
        admit: () => {
          clearTimeout(timer);
          resolve(true);
        },
      };
      const timer = setTimeout(
        () => {
          this.waiting.splice(this.waiting.indexOf(waiter), 1);
          resolve(false);
        },
        Math.max(0, deadline - Date.now()),
      );
      this.waiting.push(waiter);
    });
  }

  leave(): void {
    const next = this.waiting.shift();
    if (next) next.admit();
    else this.free++;
  }
}
