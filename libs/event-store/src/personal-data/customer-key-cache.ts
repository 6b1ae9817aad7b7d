import type { CustomerKey } from './customer-keys.js';
import { RecentEntries } from './recent-entries.js';

/**
 * Keys held in memory, the least recently used dropped first (half the capacity at a time: RecentEntries). Trusted
 * only while erasures reach this process (its LISTEN is in place): otherwise nothing is remembered and every lookup
 * asks the table. A lookup that raced with an erasure (the generation moved while it asked) is not remembered either.
 */
export class CustomerKeyCache {
  private readonly live: RecentEntries<string, CustomerKey>;
  private readonly liveBySubject: RecentEntries<string, CustomerKey>;
  /** Erased key ids: an erased key never comes back, so this is safe to keep. */
  private readonly erased = new Set<string>();
  private generation = 0;
  private listening = false;

  constructor(private readonly capacity = 10_000) {
    this.live = new RecentEntries(capacity);
    this.liveBySubject = new RecentEntries(capacity);
  }

  get currentGeneration(): number {
    return this.generation;
  }

  /** The generation while erasures reach this process; null while they might not. */
  get trustedGeneration(): number | null {
    return this.listening ? this.generation : null;
  }

  byKeyId(keyId: string): CustomerKey | 'erased' | undefined {
    if (this.erased.has(keyId)) return 'erased';
    return this.live.get(keyId);
  }

  bySubject(subjectId: string): CustomerKey | undefined {
    return this.liveBySubject.get(subjectId);
  }

  remember(keys: Iterable<CustomerKey>, erasedIds: Iterable<string>, generation: number): void {
    if (!this.listening || generation !== this.generation) return;
    for (const key of keys) {
      this.live.set(key.keyId, key);
      this.liveBySubject.set(key.subjectId, key);
    }
    for (const keyId of erasedIds) this.erased.add(keyId);
    if (this.erased.size > this.capacity) this.erased.clear();
  }

  /** An erasure (here or announced by another process). */
  forgetSubject(subjectId: string): void {
    this.generation++;
    this.liveBySubject.delete(subjectId);
    this.live.deleteWhere((key) => key.subjectId === subjectId);
  }

  /** Listening started (trust from now on) or stopped (erasures may be missed: forget everything, remember nothing). */
  setListening(listening: boolean): void {
    this.generation++;
    this.listening = listening;
    this.live.clear();
    this.liveBySubject.clear();
  }
}
