/**
 * JSON with object keys sorted, so two values compare equal whatever order their keys were written in
 * (events come back from jsonb storage with their keys reordered).
 */
export const canonicalJson = (value: unknown): string =>
  JSON.stringify(value, (_key, inner: unknown) =>
    inner && typeof inner === 'object' && !Array.isArray(inner) ? Object.fromEntries(Object.entries(inner).sort(([a], [b]) => a.localeCompare(b))) : inner,
  );
