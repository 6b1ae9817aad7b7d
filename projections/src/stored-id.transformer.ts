import type { ValueTransformer } from 'typeorm';

/**
 * node-postgres returns `bigint` as a string, since it can exceed Number's safe range; the ids stored in such
 * columns never do (the input rules keep them within `Number.MAX_SAFE_INTEGER`), so they come back as numbers.
 */
export const storedIdTransformer: ValueTransformer = {
  to: (value: number | null | undefined) => value,
  from: (value: string | number | null) => storedIdOf(value),
};

/** For raw queries that select a `bigint` id column. */
export function storedIdOf(value: string | number | null): number | null {
  if (value === null || value === undefined) return null;
  const id = Number(value);
  if (!Number.isSafeInteger(id)) throw new Error(`A stored id (${String(value)}) is beyond Number's safe range`);
  return id;
}
