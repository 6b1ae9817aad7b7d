import type { CustomerKey } from './customer-keys.js';

/**
 * Keys held in memory, least recently used dropped first. Trusted only while erasures reach this process (its
 * LISTEN is in place): otherwise nothing is remembered and every lookup asks the table. A lookup that raced with an
 * erasure (the generation moved while it asked) is not remembered either.
 */
export class CustomerKeyCache {
  private readonly live = new Map<string, CustomerKey>();
  private readonly liveBySubject = new Map<string, CustomerKey>();
  /** Erased key ids: an erased key never comes back, so this is safe to keep. */
  private readonly erased = new Set<string>();
  private generation = 0;
  private listening = false;

  constructor(private readonly capacity = 10_000) {}

  get currentGeneration(): number {
    return this.generation;
  }

  /** The generation while erasures reach this process; null while they might not. */
  get trustedGeneration(): number | null {
    return this.listening ? this.generation : null;
  }

  byKeyId(keyId: string): CustomerKey | 'erased' | undefined {
    if (this.erased.has(keyId)) return 'erased';
    const key = this.live.get(keyId);
    if (key) this.touch(this.live, keyId, key);
    return key;
  }

  bySubject(subjectId: string): CustomerKey | undefined {
    const key = this.liveBySubject.get(subjectId);
    if (key) this.touch(this.liveBySubject, subjectId, key);
    return key;
  }

  remember(keys: Iterable<CustomerKey>, erasedIds: Iterable<string>, generation: number): void {
    if (!this.listening || generation !== this.generation) return;
    for (const key of keys) {
      this.touch(this.live, key.keyId, key);
      this.touch(this.liveBySubject, key.subjectId, key);
    }
    for (const keyId of erasedIds) this.erased.add(keyId);
    for (const map of [this.live, this.liveBySubject]) this.trim(map);
    if (this.erased.size > this.capacity) this.erased.clear();
  }

  /** An erasure (here or announced by another process). */
  forgetSubject(subjectId: string): void {
    this.generation++;
    this.liveBySubject.delete(subjectId);
    for (const [keyId, key] of this.live) if (key.subjectId === subjectId) this.live.delete(keyId);
  }

  /** Listening started (trust from now on) or stopped (erasures may be missed: forget everything, remember nothing). */
  setListening(listening: boolean): void {
    this.generation++;
    this.listening = listening;
    this.live.clear();
    this.liveBySubject.clear();
  }

  private touch<K>(map: Map<K, CustomerKey>, id: K, key: CustomerKey): void {
    map.delete(id);
    map.set(id, key);
  }

  private trim<K>(map: Map<K, CustomerKey>): void {
    for (const oldest of map.keys()) {
      if (map.size <= this.capacity) return;
      map.delete(oldest);
    }
  }
}
