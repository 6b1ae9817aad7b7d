import { canonicalJson } from '../canonical-json.js';
import type { CatalogEvent } from './catalog.events.js';

/**
 * Saving a catalog entry is a full replacement. Saving what is already there records nothing,
 * so a retried PUT is harmless and the history only shows real changes.
 */
export function decideSave<E extends CatalogEvent>(current: E['data'] | null, next: E): E[] {
  if (current && canonicalJson(current) === canonicalJson(next.data)) return [];
  return [next];
}

export function latestSaved<E extends CatalogEvent>(events: readonly E[]): E['data'] | null {
  return events.at(-1)?.data ?? null;
}
