import type pg from 'pg';
import type { EventStore, Position, ReadAllResult } from '../src/event-store.port.js';
import { readAllPages } from './event-store.fixtures.js';
import { eventually } from '#test-support/eventually';

/** Statements sent through `pool`, by their prepared-statement name ('unnamed' for the rest), counted as they go. */
export function countStatements(pool: pg.Pool): Map<string, number> {
  const counts = new Map<string, number>();
  const target = pool as unknown as { query: (...args: unknown[]) => unknown };
  const query = target.query.bind(pool);
  target.query = (...args: unknown[]) => {
    const config = args[0] as { name?: string } | string | undefined;
    const name = typeof config === 'object' && config?.name ? config.name : 'unnamed';
    counts.set(name, (counts.get(name) ?? 0) + 1);
    return query(...args);
  };
  return counts;
}

export const READ_ALL = 'event_store_read_all';
export const POLL = 'event_store_has_events_after';

/** Reads and polls of the log among `counts`. */
export function logRoundTrips(counts: Map<string, number>): number {
  return (counts.get(READ_ALL) ?? 0) + (counts.get(POLL) ?? 0);
}

/** Where a reader of `store` is once every event committed so far is readable (another test's open transaction may hold some back a while). */
export async function readableEnd(store: EventStore, expectedEvents?: number, streamPrefixes?: string[]): Promise<Position> {
  return eventually(async () => {
    const { events, position } = await readAllPages(store, { streamPrefixes });
    if (expectedEvents !== undefined) expect(events.length).toBe(expectedEvents);
    return position;
  });
}

/** A page as a comparable value: ids, streams and the position it ends at. */
export function pageShape(page: ReadAllResult): { ids: string[]; streams: string[]; position: Position } {
  return { ids: page.events.map((event) => event.id), streams: page.events.map((event) => event.streamName), position: page.position };
}
