import type { DataSource, Repository, SelectQueryBuilder } from 'typeorm';
import { ValidationFailedError, type AppointmentDetails, type AppointmentStatus, type SyncStatus } from '#domain';
import { decodeAppointmentCursor, encodeAppointmentCursor } from './appointment-cursor.js';
import { AppointmentRow } from './appointment.entity.js';
import { SYNC_STATUS } from '../calcom-sync-status/calcom-sync-status.sql.js';
import { CUSTOMER_SEARCH_TEXT } from '../migrations/1768089600000-index-appointment-queries.js';
import { EMAIL_LOCAL_PART_KEY } from '../migrations/1768176000000-index-customer-email-local-part.js';

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

export class AppointmentsQueries {
  private readonly appointments: Repository<AppointmentRow>;

  constructor(dataSource: DataSource) {
    this.appointments = dataSource.getRepository(AppointmentRow);
  }

  async get(appointmentId: string): Promise<AppointmentSummary | null> {
    const row = await this.appointments.findOneBy({ appointmentId });
    return row && toSummary(row);
  }

  /** Ordered by start time, then id; the cursor is a keyset, so pages stay stable while rows are added. */
  async list(filter: AppointmentListFilter = {}): Promise<AppointmentPage> {
    const limit = pageSize(filter.limit);
    const query = this.appointments
      .createQueryBuilder('a')
      // The cursor keeps PostgreSQL's own text of the time, so a sub-millisecond start cannot repeat a row.
      .addSelect(`to_json(a.starts_at) #>> '{}'`, 'cursor_starts_at')
      .orderBy('a.startsAt', 'ASC')
      .addOrderBy('a.appointmentId', 'ASC')
      .limit(limit + 1);
    if (filter.status) query.andWhere('a.status = :status', { status: filter.status });
    if (filter.staffId) query.andWhere('a.staffId = :staffId', { staffId: filter.staffId });
    if (filter.serviceId) query.andWhere('a.serviceId = :serviceId', { serviceId: filter.serviceId });
    if (filter.search) searchCustomers(query, filter.search);
    if (filter.syncStatus) query.andWhere(...syncStatusCondition(filter.syncStatus));
    if (filter.from) {
      const from = isoTime('from', filter.from);
      query.andWhere('a.endsAt > CAST(:from AS timestamptz)', { from });
      // Implied by the line above (nothing ends later after its start than the longest appointment), and a range of
      // the listing index: without it every appointment that started before `from` is read to be left out.
      query.andWhere(
        `a.startsAt > (CAST(:from AS timestamptz) AT TIME ZONE 'UTC' - (SELECT max(longest.ends_at - longest.starts_at) FROM appointments longest)) AT TIME ZONE 'UTC'`,
        { from },
      );
    }
    if (filter.to) query.andWhere('a.startsAt < CAST(:to AS timestamptz)', { to: isoTime('to', filter.to) });
    if (filter.cursor) {
      const after = decodeAppointmentCursor(filter.cursor);
      query.andWhere('(a.startsAt, a.appointmentId) > (CAST(:afterStartsAt AS timestamptz), :afterId)', {
        afterStartsAt: after.startsAt,
        afterId: after.appointmentId,
      });
    }
    const { entities, raw } = await query.getRawAndEntities<{ cursor_starts_at: string }>();
    const items = entities.slice(0, limit).map(toSummary);
    const last = entities.length > limit ? items.at(-1) : undefined;
    const nextCursor = last ? encodeAppointmentCursor({ startsAt: raw[limit - 1].cursor_starts_at, appointmentId: last.appointmentId }) : null;
    return { items, nextCursor };
  }

  /**
   * Ids of the staff member's appointments that hold their time (scheduled, or checked in: the customer is in the
   * chair) overlapping [startsAt, endsAt); touching ends do not overlap.
   */
  async overlappingActive(staffId: string, startsAt: string, endsAt: string, excludeAppointmentId: string | null = null): Promise<string[]> {
    const query = this.appointments
      .createQueryBuilder('a')
      .select('a.appointmentId', 'appointment_id')
      .where('a.staffId = :staffId', { staffId })
      .andWhere(`a.status IN ('scheduled', 'arrived')`)
      .andWhere('a.startsAt < CAST(:endsAt AS timestamptz)', { endsAt: isoTime('endsAt', endsAt) })
      .andWhere('a.endsAt > CAST(:startsAt AS timestamptz)', { startsAt: isoTime('startsAt', startsAt) })
      .orderBy('a.startsAt', 'ASC')
      .addOrderBy('a.appointmentId', 'ASC');
    if (excludeAppointmentId !== null) query.andWhere('a.appointmentId <> :excluded', { excluded: excludeAppointmentId });
    const rows = await query.getRawMany<{ appointment_id: string }>();
    return rows.map((row) => row.appointment_id);
  }
}

/**
 * Part of the customer's name, email or phone, any case. The three fields' joined text holds every match, and its
 * trigram index (or the listing index, for a common term) finds it; only a term with a line break could match across
 * two fields, so only then does each field decide on its own (a second condition the planner would count as rare
 * again, walking the wrong index for a common term).
 */
function searchCustomers(query: SelectQueryBuilder<AppointmentRow>, search: string): void {
  const pattern = `%${escapeLike(search)}%`;
  query.andWhere(`${CUSTOMER_SEARCH_TEXT} ILIKE :pattern`, { pattern });
  if (search.includes('\n')) {
    query.andWhere(`(a.customer->>'name' ILIKE :pattern OR a.customer->>'email' ILIKE :pattern OR coalesce(a.customer->>'phone', '') ILIKE :pattern)`, { pattern });
  }
  const at = search.indexOf('@');
  if (at > 0) {
    // An address with one `@` that holds the term ends its local part with the term's text before the `@`: a range of
    // the reversed local parts, plus the few rows whose `@` may be elsewhere (key ''; see EMAIL_LOCAL_PART_KEY).
    // Lower case and reversing are PostgreSQL's, as ILIKE's are; the escaping comes after the reversing.
    query.andWhere(`(${EMAIL_LOCAL_PART_KEY} LIKE regexp_replace(reverse(lower(:localPart)), '([\\\\%_])', '\\\\\\1', 'g') || '%' OR ${EMAIL_LOCAL_PART_KEY} = '')`, {
      localPart: search.slice(0, at),
    });
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
function syncStatusCondition(syncStatus: string): [string, Record<string, unknown>] {
  const derived = `(SELECT ${SYNC_STATUS} FROM (SELECT 1) AS one LEFT JOIN calcom_sync_status s ON s.appointment_id = a.appointment_id)`;
  const flag = FLAGGED[syncStatus];
  if (flag) return [`a.appointmentId IN (SELECT appointment_id FROM calcom_sync_status WHERE ${flag}) AND ${derived} = :syncStatus`, { syncStatus }];
  return [`${derived} NOT IN (:...otherSyncStatuses)`, { otherSyncStatuses: SYNC_STATUSES.filter((status) => status !== syncStatus) }];
}

function toSummary(row: AppointmentRow): AppointmentSummary {
  return {
    appointmentId: row.appointmentId,
    status: row.status,
    startsAt: row.startsAt.toISOString(),
    endsAt: row.endsAt.toISOString(),
    staffId: row.staffId,
    serviceId: row.serviceId,
    customer: row.customer,
    notes: row.notes,
    cancellationReason: row.cancellationReason,
    version: row.version,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
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
