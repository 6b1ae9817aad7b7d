export interface WebhookIntakeLoadSettings {
  /** Deliveries waiting for their fact's commit above which the intake counts as busy. */
  busyAbove: number;
  /** Longest a fact's translation waits for a busy intake: the translator slows down under load, it never stops. */
  maxWaitMs: number;
}

/**
 * The translator goes whenever no delivery waits for its commit (often, below a few hundred deliveries a second);
 * at 1,000/s it went on up to 8 waiting and still took a fifth of the CPU the intake needed (bench, load 7-10).
 */
export const DEFAULT_WEBHOOK_INTAKE_LOAD: WebhookIntakeLoadSettings = { busyAbove: 0, maxWaitMs: 1_000 };

/**
 * The intake first: a delivery's answer waits for its commit, a fact's translation can wait for the next quiet
 * moment. The intake counts the deliveries waiting for their commit; the translator (in the same process) asks,
 * before each fact, to go once that count is back to `busyAbove` or less. Translating a fact costs several times
 * what storing it does (see BENCHMARKS.md), so a translator that kept pace with a burst would starve the intake of
 * the two cores; deferred, its work still happens, once, in store order, just later.
 */
export class WebhookIntakeLoad {
  private waiting = 0;
  private readonly calmWaiters: (() => void)[] = [];

  constructor(private readonly settings: WebhookIntakeLoadSettings = DEFAULT_WEBHOOK_INTAKE_LOAD) {}

  /** Counts `committed` as waiting until it settles; returns it unchanged. */
  track<T>(committed: Promise<T>): Promise<T> {
    this.waiting++;
    const settled = () => {
      this.waiting--;
      if (this.waiting <= this.settings.busyAbove) this.wakeWaiters();
    };
    committed.then(settled, settled);
    return committed;
  }

  /** Resolves at once when the intake is not busy, otherwise once it is no longer busy or after `maxWaitMs`. */
  giveWay(): Promise<void> {
    if (this.waiting <= this.settings.busyAbove) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(done, this.settings.maxWaitMs);
      const waiters = this.calmWaiters;
      function done(): void {
        clearTimeout(timer);
        const index = waiters.indexOf(done);
        if (index >= 0) waiters.splice(index, 1);
        resolve();
      }
      waiters.push(done);
    });
  }

  private wakeWaiters(): void {
    for (const wake of this.calmWaiters.splice(0)) wake();
  }
}
