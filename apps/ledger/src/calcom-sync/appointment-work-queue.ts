export interface WorkOutcome {
  /** Look again at this time (a retry timer); null: nothing to do until something changes. */
  retryAt: string | null;
}

export interface WorkQueueLogger {
  error(message: string, ...context: unknown[]): void;
}

/** setTimeout cannot wait longer than this; a later time is reached by waking up and deciding again. */
const MAX_TIMER_MS = 2 ** 31 - 1;
const UNEXPECTED_FAILURE_DELAY_MS = [250, 1_000, 5_000, 30_000];

/**
 * Runs work per appointment: one run per appointment at a time (a change that arrives during a run makes it run
 * again afterwards), at most `concurrency` appointments at once, and wake-up timers for retries.
 * It holds no state that matters: everything it would lose in a crash is derived again from the streams on start.
 */
export class AppointmentWorkQueue {
  private readonly ready = new Set<string>();
  private readonly running = new Map<string, Promise<void>>();
  private readonly again = new Set<string>();
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly unexpectedFailures = new Map<string, number>();
  private stopped = false;

  constructor(
    private readonly work: (appointmentId: string) => Promise<WorkOutcome>,
    private readonly concurrency: number,
    private readonly logger: WorkQueueLogger,
    private readonly clock: () => number = Date.now,
  ) {}

  /** Something changed for this appointment: look at it as soon as a slot is free. */
  touch(appointmentId: string): void {
    if (this.stopped) return;
    this.clearTimer(appointmentId);
    if (this.running.has(appointmentId)) this.again.add(appointmentId);
    else this.ready.add(appointmentId);
    this.pump();
  }

  get size(): { ready: number; running: number; waiting: number } {
    return { ready: this.ready.size, running: this.running.size, waiting: this.timers.size };
  }

  /** No new runs; waits for the ones under way. */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
    this.ready.clear();
    await Promise.allSettled([...this.running.values()]);
  }

  private pump(): void {
    while (!this.stopped && this.running.size < this.concurrency && this.ready.size > 0) {
      const [appointmentId] = this.ready;
      this.ready.delete(appointmentId);
      this.running.set(appointmentId, this.run(appointmentId));
    }
  }

  private async run(appointmentId: string): Promise<void> {
    try {
      const outcome = await this.work(appointmentId);
      this.unexpectedFailures.delete(appointmentId);
      if (outcome.retryAt) this.wakeAt(appointmentId, Date.parse(outcome.retryAt));
    } catch (error) {
      const failures = (this.unexpectedFailures.get(appointmentId) ?? 0) + 1;
      this.unexpectedFailures.set(appointmentId, failures);
      const delayMs = UNEXPECTED_FAILURE_DELAY_MS[Math.min(failures, UNEXPECTED_FAILURE_DELAY_MS.length) - 1];
      this.logger.error(`Cal.com sync of appointment ${appointmentId} failed unexpectedly (${failures}x); looking again in ${delayMs} ms`, error);
      this.wakeAt(appointmentId, this.clock() + delayMs);
    } finally {
      this.running.delete(appointmentId);
      if (this.again.delete(appointmentId)) this.ready.add(appointmentId);
      this.pump();
    }
  }

  private wakeAt(appointmentId: string, at: number): void {
    if (this.stopped || this.again.has(appointmentId)) return;
    this.clearTimer(appointmentId);
    const delayMs = Math.min(Math.max(0, at - this.clock()), MAX_TIMER_MS);
    this.timers.set(
      appointmentId,
      setTimeout(() => {
        this.timers.delete(appointmentId);
        this.touch(appointmentId);
      }, delayMs),
    );
  }

  private clearTimer(appointmentId: string): void {
    const timer = this.timers.get(appointmentId);
    if (timer) clearTimeout(timer);
    this.timers.delete(appointmentId);
  }
}
