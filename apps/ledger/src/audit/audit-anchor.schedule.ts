import type { LoggerService } from '@nestjs/common';
import type { AuditLog } from '#event-store';

export const DAILY_MS = 24 * 60 * 60 * 1000;

/**
 * The daily head hash: taken by the leader when it starts its workers and every `intervalMs` after, so that
 * `GET /audit/anchors` always has a recent one for auditors to copy elsewhere.
 */
export class AuditAnchorSchedule {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> = Promise.resolve();

  constructor(
    private readonly audit: AuditLog,
    private readonly logger: LoggerService | false,
    private readonly intervalMs = DAILY_MS,
  ) {}

  start(): void {
    if (this.timer) return;
    this.takeNow();
    this.timer = setInterval(() => this.takeNow(), this.intervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.running;
  }

  private takeNow(): void {
    this.running = this.running.then(async () => {
      try {
        const anchor = await this.audit.takeAnchor('daily');
        if (anchor && this.logger) this.logger.log(`Audit anchor at ${anchor.position}: ${anchor.headHash} (${anchor.eventCount} events)`, 'Audit');
      } catch (error) {
        if (this.logger) this.logger.error(`Taking the daily audit anchor failed: ${(error as Error).message}`, undefined, 'Audit');
      }
    });
  }
}
