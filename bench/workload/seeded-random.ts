import { SeededRandom as Mulberry32 } from '#calcom-sandbox';

/**
 * The sandbox's deterministic PRNG (mulberry32) with what workloads need on top: the same seed gives every
 * contender byte-identical events, ids included, so no contender gets an easier workload.
 */
export class SeededRandom extends Mulberry32 {
  /** An integer in [0, bound). */
  below(bound: number): number {
    return Math.floor(this.next() * bound);
  }

  pick<T>(items: readonly T[]): T {
    return items[this.below(items.length)];
  }

  /** A version-4-shaped UUID from this generator. */
  uuid(): string {
    const hex = Array.from({ length: 4 }, () => this.below(0x1_0000_0000).toString(16).padStart(8, '0')).join('');
    const variant = ((parseInt(hex[16], 16) & 0x3) | 0x8).toString(16);
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
  }
}
