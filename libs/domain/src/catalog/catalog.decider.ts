import { canonicalJson } from '../canonical-json.js';
import type { Decider } from '../decider.js';
import { ValidationFailedError } from '../errors.js';
import type { CatalogCommand } from './catalog.commands.js';
import type { CatalogEvent } from './catalog.events.js';

/** One catalog entry's stream (`staff-<id>` or `service-<id>`): the entry as last saved, null before the first save. */
export type CatalogEntry = CatalogEvent | null;

export const initialCatalogEntry = (): CatalogEntry => null;

/**
 * Saving a catalog entry is a full replacement. Saving what is already there records nothing,
 * so a retried PUT is harmless and the history only shows real changes.
 */
export function decideCatalog(command: CatalogCommand, entry: CatalogEntry): CatalogEvent[] {
  const saved = savedBy(command);
  if (entry?.type === saved.type && canonicalJson(entry.data) === canonicalJson(saved.data)) return [];
  return [saved];
}

export const evolveCatalog = (_entry: CatalogEntry, event: CatalogEvent): CatalogEntry => event;

export const catalogDecider: Decider<CatalogCommand, CatalogEntry, CatalogEvent> = {
  decide: decideCatalog,
  evolve: evolveCatalog,
  initialState: initialCatalogEntry,
};

function savedBy(command: CatalogCommand): CatalogEvent {
  switch (command.type) {
    case 'SaveStaffMember':
      return { type: 'StaffMemberSaved', data: command.data };
    case 'SaveService':
      return { type: 'ServiceSaved', data: command.data };
    default: {
      const unknown: never = command;
      throw new ValidationFailedError(`Unknown command ${(unknown as { type: string }).type}`);
    }
  }
}

/** What the catalog holds for one entry now, for a reader that folds its stream. */
export function latestSaved<E extends CatalogEvent>(events: readonly E[]): E['data'] | null {
  return events.at(-1)?.data ?? null;
}
