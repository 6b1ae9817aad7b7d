import { dateTimeProblem, ValidationFailedError } from '#domain';
import type { Position, AuditLog } from '#event-store';

/** A verify run's or an export's bounds, as places in the global order. `empty`: a time range no event falls in. */
export interface AuditRange {
  from?: Position;
  to?: Position;
  empty: boolean;
}

export interface KeptAnchor {
  position: Position;
  headHash: string;
}

const HEAD_HASH = /^[0-9a-f]{64}$/;
const MAX_QUERY_TEXT = 100;

/**
 * `from` (exclusive) and `to` (inclusive): a position as the API shows them, or an ISO 8601 date-time with an offset
 * (from: events recorded at or after it; to: at or before it). Anything else, or a repeated parameter, is refused.
 */
export async function auditRangeFromQuery(audit: AuditLog, query: { from?: unknown; to?: unknown }): Promise<AuditRange> {
  const from = await boundFromQuery(audit, 'from', query.from);
  const to = await boundFromQuery(audit, 'to', query.to);
  const empty = from === null || to === null;
  return { from: from ?? undefined, to: to ?? undefined, empty };
}

async function boundFromQuery(audit: AuditLog, field: 'from' | 'to', value: unknown): Promise<Position | null | undefined> {
  if (value === undefined) return undefined;
  const text = singleText(field, value);
  const position = audit.parsePosition(text);
  if (position !== null) return position;
  const problem = dateTimeProblem(text);
  if (problem) throw new ValidationFailedError(`${field} must be a position (as the API shows them) or a date-time: it ${problem}`, { field });
  return audit.positionAtTime(text, field);
}

/** `anchor=<position>:<head hash>`, as `GET /audit/anchors` lists them. */
export function keptAnchorFromText(audit: AuditLog, value: unknown): KeptAnchor | undefined {
  if (value === undefined) return undefined;
  const text = singleText('anchor', value);
  const split = text.lastIndexOf(':');
  const position = split > 0 ? audit.parsePosition(text.slice(0, split)) : null;
  const headHash = text.slice(split + 1);
  if (position === null || !HEAD_HASH.test(headHash)) {
    throw new ValidationFailedError('anchor must be <position>:<head hash>, as GET /audit/anchors lists them (64 lowercase hex digits)', { field: 'anchor' });
  }
  return { position, headHash };
}

function singleText(field: string, value: unknown): string {
  if (typeof value !== 'string') throw new ValidationFailedError(`${field} must be given once, as text`, { field });
  if (value.length === 0 || value.length > MAX_QUERY_TEXT) throw new ValidationFailedError(`${field} must be 1 to ${MAX_QUERY_TEXT} characters`, { field });
  return value;
}
