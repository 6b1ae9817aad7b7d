interface Waiter {
  resolve(): void;
  reject(error: unknown): void;
  leave(): void;
}

/**
 * One wait of the store underneath shared by every caller waiting at the same position. Each caller's own signal
 * still ends its own wait (resolving, as the port says); the shared one is aborted once no caller is left, or when
 * `wake` says the answer is known already.
 */
export class SharedWait {
  private readonly waiters = new Set<Waiter>();
  private readonly abort = new AbortController();
  private over = false;

  constructor(
    wait: (signal: AbortSignal) => Promise<void>,
    /** Called once, when this wait can take no more callers. */
    private readonly onOver: () => void,
  ) {
    let waiting: Promise<void>;
    try {
      waiting = wait(this.abort.signal);
    } catch (error) {
      waiting = Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
    waiting.then(
      () => this.finish((waiter) => waiter.resolve()),
      (error: unknown) => this.finish((waiter) => waiter.reject(error)),
    );
  }

  get isOver(): boolean {
    return this.over;
  }

  /** Never after the wait is over (`isOver`): the caller starts another. */
  join(signal?: AbortSignal): Promise<void> {
    if (this.over) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      const leave = () => {
        this.waiters.delete(waiter);
        signal?.removeEventListener('abort', abandon);
      };
      const abandon = () => {
        leave();
        resolve();
        if (this.waiters.size === 0) this.finish(() => undefined);
      };
      const waiter: Waiter = { resolve, reject, leave };
      this.waiters.add(waiter);
      signal?.addEventListener('abort', abandon, { once: true });
    });
  }

  /** Something to read is known to be there: every caller goes on at once, and the wait underneath stops. */
  wake(): void {
    this.finish((waiter) => waiter.resolve());
  }

  private finish(settle: (waiter: Waiter) => void): void {
    if (!this.over) {
      this.over = true;
      this.onOver();
      this.abort.abort();
    }
    for (const waiter of [...this.waiters]) {
      waiter.leave();
      settle(waiter);
    }
  }
}
