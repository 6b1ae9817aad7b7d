import type { DataSource } from 'typeorm';
import { ValidationFailedError, type AppointmentDetails, type AppointmentStatus, type SyncStatus } from '#domain';
import { decodeAppointmentCursor, encodeAppointmentCursor } from './appointment-cursor.js';
import { SYNC_STATUS } from '../calcom-sync-status/calcom-sync-status.sql.js';
import { CUSTOMER_SEARCH_TEXT } from '../migrations/1768089600000-index-appointment-queries.js';
import { EMAIL_LOCAL_PART_KEY } from '../migrations/1768176000000-index-customer-email-local-part.js';
import { isoText, ReadModelSql, SqlConditions } from '../read-model-sql.js';

export interface AppointmentSummary extends AppointmentDetails {
  status: AppointmentStatus;
  notes: string | null;
  cancellationReason: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface AppointmentListFilter {
  /** `scheduled` or `cancelled`. */
  status?: string;
  staffId?: string;
  /** ISO time: only appointments that end after it. */
  from?: string;
  /** ISO time: only appointments that start before it. */
  to?: string;
  /** 1 to 200, default 50. */
  limit?: number;
  /** The `nextCursor` of the previous page. */
  cursor?: string;
  serviceId?: string;
  /** `pending`, `synced`, `failed` or `conflict`, as the item's `calcom.syncStatus` says it. */
  syncStatus?: string;
  /** Part of the customer's name, email or phone, any case; `%` and `_` are plain characters. */
  search?: string;
}

export interface AppointmentPage {
  items: AppointmentSummary[];
  /** Null on the last page. */
  nextCursor: string | null;
}

export const DEFAULT_PAGE_SIZE = 50;
export const MAX_PAGE_SIZE = 200;

/** The columns of a summary, named as the API names them; times as `toISOString` text, written by the server. */
const SUMMARY_COLUMNS = `a.appointment_id AS "appointmentId", a.status, ${isoText('a.starts_at')} AS "startsAt", ${isoText('a.ends_at')} AS "endsAt",
  a.staff_id AS "staffId", a.service_id AS "serviceId", a.customer, a.notes, a.cancellation_reason AS "cancellationReason", a.version,
  ${isoText('a.created_at')} AS "createdAt", ${isoText('a.updated_at')} AS "updatedAt"`;

export class AppointmentsQueries {
  private readonly sql: ReadModelSql;

  constructor(dataSource: DataSource) {
    this.sql = new ReadModelSql(dataSource);
  }

  async get(appointmentId: string): Promise<AppointmentSummary | null> {
    const [row] = await this.sql.rows<AppointmentSummary>(`SELECT ${SUMMARY_COLUMNS} FROM appointments a WHERE a.appointment_id = $1`, [appointmentId]);
    return row ?? null;
  }

  /** Ordered by start time, then id; the cursor is a keyset, so pages stay stable while rows are added. */
  async list(filter: AppointmentListFilter = {}): Promise<AppointmentPage> {
    const limit = pageSize(filter.limit);
    const where = new SqlConditions();
    if (filter.status) where.and(`a.status = ${where.param(filter.status)}`);
    if (filter.staffId) where.and(`a.staff_id = ${where.param(filter.staffId)}`);
    if (filter.serviceId) where.and(`a.service_id = ${where.param(filter.serviceId)}`);
    if (filter.search) searchCustomers(where, filter.search);
    if (filter.syncStatus) where.and(syncStatusCondition(where, filter.syncStatus));
    if (filter.from) {
      const from = where.param(isoTime('from', filter.from));
      where.and(`a.ends_at > CAST(${from} AS timestamptz)`);
      // Implied by the line above (nothing ends later after its start than the longest appointment), and a range of
      // the listing index: without it every appointment that started before `from` is read to be left out.
      where.and(`a.starts_at > (CAST(${from} AS timestamptz) AT TIME ZONE 'UTC' - (SELECT max(longest.ends_at - longest.starts_at) FROM appointments longest)) AT TIME ZONE 'UTC'`);
    }
    if (filter.to) where.and(`a.starts_at < CAST(${where.param(isoTime('to', filter.to))} AS timestamptz)`);
    if (filter.cursor) {
      const after = decodeAppointmentCursor(filter.cursor);
      where.and(`(a.starts_at, a.appointment_id) > (CAST(${where.param(after.startsAt)} AS timestamptz), ${where.param(after.appointmentId)})`);
    }
    // The cursor keeps PostgreSQL's own text of the time, so a sub-millisecond start cannot repeat a row.
    const rows = await this.sql.rows<AppointmentSummary & { cursorStartsAt: string }>(
      `SELECT ${SUMMARY_COLUMNS}, to_json(a.starts_at) #>> '{}' AS "cursorStartsAt"
         FROM appointments a ${where.where}
        ORDER BY a.starts_at ASC, a.appointment_id ASC LIMIT ${limit + 1}`,
      where.values,
    );
    const last = rows.length > limit ? rows[limit - 1] : undefined;
    const items = rows.slice(0, limit).map(({ cursorStartsAt: _cursor, ...summary }) => summary);
    const nextCursor = last ? encodeAppointmentCursor({ startsAt: last.cursorStartsAt, appointmentId: last.appointmentId }) : null;
    return { items, nextCursor };
  }

  /**
   * Ids of the staff member's appointments that hold their time (scheduled, or checked in: the customer is in the
   * chair) overlapping [startsAt, endsAt); touching ends do not overlap.
   */
  async overlappingActive(staffId: string, startsAt: string, endsAt: string, excludeAppointmentId: string | null = null): Promise<string[]> {
    const values = [staffId, isoTime('endsAt', endsAt), isoTime('startsAt', startsAt), ...(excludeAppointmentId === null ? [] : [excludeAppointmentId])];
    const rows = await this.sql.rows<{ appointment_id: string }>(
      `SELECT a.appointment_id FROM appointments a
        WHERE a.staff_id = $1 AND a.status IN ('scheduled', 'arrived') AND a.starts_at < CAST($2 AS timestamptz) AND a.ends_at > CAST($3 AS timestamptz)
              ${excludeAppointmentId === null ? '' : 'AND a.appointment_id <> $4'}
        ORDER BY a.starts_at ASC, a.appointment_id ASC`,
      values,
    );
    return rows.map((row) => row.appointment_id);
  }
}

/**
 * Part of the customer's name, email or phone, any case. The three fields' joined text holds every match, and its
 * trigram index (or the listing index, for a common term) finds it; only a term with a line break could match across
 * two fields, so only then does each field decide on its own (a second condition the planner would count as rare
 * again, walking the wrong index for a common term).
 */
function searchCustomers(where: SqlConditions, search: string): void {
  const pattern = where.param(`%${escapeLike(search)}%`);
  where.and(`${CUSTOMER_SEARCH_TEXT} ILIKE ${pattern}`);
  if (search.includes('\n')) {
    where.and(`(a.customer->>'name' ILIKE ${pattern} OR a.customer->>'email' ILIKE ${pattern} OR coalesce(a.customer->>'phone', '') ILIKE ${pattern})`);
  }
  const at = search.indexOf('@');
  if (at > 0) {
    // An address with one `@` that holds the term ends its local part with the term's text before the `@`: a range of
    // the reversed local parts, plus the few rows whose `@` may be elsewhere (key ''; see EMAIL_LOCAL_PART_KEY).
    // Lower case and reversing are PostgreSQL's, as ILIKE's are; the escaping comes after the reversing.
    const localPart = where.param(search.slice(0, at));
    where.and(`(${EMAIL_LOCAL_PART_KEY} LIKE regexp_replace(reverse(lower(${localPart})), '([\\\\%_])', '\\\\\\1', 'g') || '%' OR ${EMAIL_LOCAL_PART_KEY} = '')`);
  }
}

/** `%`, `_` and `\` stand for themselves. */
function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (character) => `\\${character}`);
}

const SYNC_STATUSES: readonly SyncStatus[] = ['pending', 'synced', 'failed', 'conflict'];
/** The rare statuses, and the flag of the status row each one needs (its partial index lists those rows). */
const FLAGGED: Partial<Record<string, string>> = { conflict: 'has_conflict', failed: 'permanent_failure' };

/**
 * The sync status is derived when read (calcom-sync-status.sql.ts): the filter derives it for each row the listing
 * reaches, from that row's status row (none: pending). Conflicts and failures are rare, so those listings start from
 * the status rows that can have them. Pending and synced are common, and are asked as "none of the other three": the
 * planner guesses that true for most rows (`= x` it guesses true for 0.5 %, and on a small table it would then derive
 * every row's status and sort them instead of reading the listing index until a page is full).
 */
function syncStatusCondition(where: SqlConditions, syncStatus: string): string {
  const derived = `(SELECT ${SYNC_STATUS} FROM (SELECT 1) AS one LEFT JOIN calcom_sync_status s ON s.appointment_id = a.appointment_id)`;
  const flag = FLAGGED[syncStatus];
  if (flag) return `a.appointment_id IN (SELECT appointment_id FROM calcom_sync_status WHERE ${flag}) AND ${derived} = ${where.param(syncStatus)}`;
  const others = SYNC_STATUSES.filter((status) => status !== syncStatus).map((status) => where.param(status));
  return `${derived} NOT IN (${others.join(', ')})`;
}

function pageSize(limit: number | undefined): number {
  if (limit === undefined) return DEFAULT_PAGE_SIZE;
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE_SIZE) {
    throw new ValidationFailedError(`limit must be an integer from 1 to ${MAX_PAGE_SIZE}`, { field: 'limit', limit });
  }
  return limit;
}

function isoTime(field: string, value: string): string {
  if (Number.isNaN(Date.parse(value))) throw new ValidationFailedError(`${field} must be an ISO 8601 time`, { field, value });
  return value;
}
