import type { DriftCheckMode } from '#domain';
import type { DriftCheckRunner } from './drift-check.runner.js';

export interface DriftScheduleLogger {
  error(message: string, ...context: unknown[]): void;
}

/**
 * Runs a check every `intervalMs`: the first and every `fullScanEvery`-th one read the whole window, the ones in
 * between only what Cal.com changed since the previous check. A failed check is logged (and recorded by the
 * reconciler); the schedule carries on.
 */
export class DriftScheduler {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<unknown> | null = null;
  private ticks = 0;
  private stopped = false;

  constructor(
    private readonly reconciler: DriftCheckRunner,
    private readonly intervalMs: number,
    private readonly fullScanEvery: number,
    private readonly logger?: DriftScheduleLogger,
  ) {}

  start(): void {
    if (this.intervalMs <= 0 || this.timer) return;
    this.stopped = false;
    this.schedule();
  }

  /** The mode of the next scheduled check. */
  nextMode(): DriftCheckMode {
    return this.ticks % this.fullScanEvery === 0 ? 'full' : 'incremental';
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.running;
  }

  private schedule(): void {
    this.timer = setTimeout(() => {
      const mode = this.nextMode();
      this.ticks++;
      this.running = this.reconciler
        .check(mode, 'schedule')
        .catch((error: unknown) => this.logger?.error(`Scheduled drift check (${mode}) failed`, error))
        .finally(() => {
          this.running = null;
          if (!this.stopped) this.schedule();
        });
    }, this.intervalMs);
  }
}
