import { excludeSystemEvents, streamNameFilter, type Filter } from '@eventstore/db-client';

/**
 * The server-side filter of an `$all` read: the caller's stream prefixes, or, without any, every event that is
 * not one of the server's own (`$`-typed: stream metadata, links, statistics).
 */
export function toAllFilter(streamPrefixes: readonly string[] | undefined): Filter {
  if (streamPrefixes?.length) return streamNameFilter({ prefixes: [...streamPrefixes] });
  return excludeSystemEvents();
}
