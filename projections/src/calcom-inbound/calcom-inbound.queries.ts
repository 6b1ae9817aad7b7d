import type { DataSource } from 'typeorm';
import type { ConflictSide, WebhookOutcome } from '#domain';
import type { NotificationKind } from './calcom-inbound.entities.js';

export interface WebhookFactView {
  factStream: string;
  factId: string;
  triggerEvent: string;
  bookingUid: string | null;
  previousBookingUid: string | null;
  appointmentId: string | null;
  outcome: WebhookOutcome | null;
  reason: string | null;
  receivedAt: string;
  appliedAt: string | null;
  /** `waiting` only: the fact stream of the failed fact it waits behind. */
  waitsFor: string | null;
}

/** A fact that holds its booking's lane: failed, or waiting behind one that did. */
export interface BlockedFactRow {
  factStream: string;
  outcome: 'failed' | 'waiting';
  bookingUid: string | null;
  previousBookingUid: string | null;
  waitsFor: string | null;
  receivedPosition: string | null;
}

export interface NotificationView {
  notificationId: string;
  kind: NotificationKind;
  appointmentId: string | null;
  message: string;
  details: Record<string, unknown>;
  createdAt: string;
}

export interface ConflictView {
  conflictId: string;
  appointmentId: string;
  status: 'open' | 'resolved';
  summary: string;
  ledger: ConflictSide;
  calcom: ConflictSide;
  factId: string | null;
  keep: 'ledger' | 'calcom' | null;
  decidedBy: 'person' | 'policy' | null;
  detectedAt: string;
  resolvedAt: string | null;
}

const MAX_LIMIT = 500;
const iso = (column: string, alias: string) => `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS "${alias}"`;

const FACT_COLUMNS = `fact_stream AS "factStream", fact_id AS "factId", trigger_event AS "triggerEvent", booking_uid AS "bookingUid",
  previous_booking_uid AS "previousBookingUid", appointment_id AS "appointmentId", outcome, reason,
  ${iso('received_at', 'receivedAt')}, ${iso('applied_at', 'appliedAt')}, waits_for AS "waitsFor"`;
const CONFLICT_COLUMNS = `conflict_id AS "conflictId", appointment_id AS "appointmentId", status, summary, ledger, calcom,
  fact_id AS "factId", keep, decided_by AS "decidedBy", ${iso('detected_at', 'detectedAt')}, ${iso('resolved_at', 'resolvedAt')}`;

/** Reads of the inbound read models, newest first where a person reads them. */
export class CalcomInboundQueries {
  constructor(private readonly dataSource: DataSource) {}

  async facts(filter: { outcome?: string; appointmentId?: string; limit?: number } = {}): Promise<WebhookFactView[]> {
    return this.dataSource.query(
      `SELECT ${FACT_COLUMNS} FROM calcom_webhook_facts
        WHERE ($1::text IS NULL OR outcome = $1) AND ($2::text IS NULL OR appointment_id = $2)
        ORDER BY received_at DESC, fact_stream LIMIT $3`,
      [filter.outcome ?? null, filter.appointmentId ?? null, limitOf(filter.limit)],
    );
  }

  /** Every failed fact and every fact waiting behind one: the translator's lanes, as they stood when it last stopped. */
  async blockedFacts(): Promise<BlockedFactRow[]> {
    return this.dataSource.query(
      `SELECT fact_stream AS "factStream", outcome, booking_uid AS "bookingUid", previous_booking_uid AS "previousBookingUid",
              waits_for AS "waitsFor", received_position AS "receivedPosition"
         FROM calcom_webhook_facts WHERE outcome IN ('failed', 'waiting')`,
    );
  }

  /** The stream of the fact with this CalcomWebhookReceived event id. */
  async factStreamOf(factId: string): Promise<string | null> {
    const rows: { fact_stream: string }[] = await this.dataSource.query('SELECT fact_stream FROM calcom_webhook_facts WHERE fact_id = $1', [factId]);
    return rows[0]?.fact_stream ?? null;
  }

  /** Orphan facts that wait for one of these uids, oldest first (the order Cal.com sent them, as far as we know). */
  async orphansWaitingFor(uids: readonly string[]): Promise<string[]> {
    if (uids.length === 0) return [];
    const rows: { fact_stream: string }[] = await this.dataSource.query(
      `SELECT fact_stream FROM calcom_webhook_facts
        WHERE outcome = 'orphan' AND (booking_uid = ANY($1::text[]) OR previous_booking_uid = ANY($1::text[]))
        ORDER BY received_at, fact_stream`,
      [uids],
    );
    return rows.map((row) => row.fact_stream);
  }

  /** Every booking uid an orphan fact waits for (its booking or the one it replaced), for the translator's filter. */
  async orphanBookingUids(): Promise<string[]> {
    const rows: { uid: string }[] = await this.dataSource.query(
      `SELECT DISTINCT uid FROM calcom_webhook_facts, LATERAL (VALUES (booking_uid), (previous_booking_uid)) AS uids (uid)
        WHERE outcome = 'orphan' AND uid IS NOT NULL`,
    );
    return rows.map((row) => row.uid);
  }

  /** Active appointments at this start for this customer: candidates for the echo of a create whose metadata was lost. */
  async appointmentsAt(startsAt: string, customerEmail: string): Promise<string[]> {
    const rows: { appointment_id: string }[] = await this.dataSource.query(
      `SELECT appointment_id FROM appointments
        WHERE starts_at = $1::timestamptz AND lower(customer->>'email') = lower($2) AND status <> 'cancelled'`,
      [startsAt, customerEmail],
    );
    return rows.map((row) => row.appointment_id);
  }

  async notifications(filter: { kind?: string; limit?: number } = {}): Promise<NotificationView[]> {
    return this.dataSource.query(
      `SELECT notification_id AS "notificationId", kind, appointment_id AS "appointmentId", message, details,
              ${iso('created_at', 'createdAt')}
         FROM notifications WHERE ($1::text IS NULL OR kind = $1)
        ORDER BY created_at DESC, notification_id LIMIT $2`,
      [filter.kind ?? null, limitOf(filter.limit)],
    );
  }

  async conflicts(filter: { status?: string; limit?: number } = {}): Promise<ConflictView[]> {
    return this.dataSource.query(
      `SELECT ${CONFLICT_COLUMNS} FROM conflicts WHERE ($1::text IS NULL OR status = $1)
        ORDER BY detected_at DESC, conflict_id LIMIT $2`,
      [filter.status ?? null, limitOf(filter.limit)],
    );
  }

  /** Facts by outcome (`pending`: stored, not applied yet) and conflicts still open: the inbound side's health. */
  async counts(): Promise<{ factsByOutcome: Record<string, number>; openConflicts: number }> {
    const [facts, conflicts]: [{ outcome: string; count: string }[], { count: string }[]] = await Promise.all([
      this.dataSource.query("SELECT coalesce(outcome, 'pending') AS outcome, count(*) AS count FROM calcom_webhook_facts GROUP BY 1"),
      this.dataSource.query("SELECT count(*) AS count FROM conflicts WHERE status = 'open'"),
    ]);
    return { factsByOutcome: Object.fromEntries(facts.map((row) => [row.outcome, Number(row.count)])), openConflicts: Number(conflicts[0].count) };
  }

  async conflict(conflictId: string): Promise<ConflictView | null> {
    const rows: ConflictView[] = await this.dataSource.query(`SELECT ${CONFLICT_COLUMNS} FROM conflicts WHERE conflict_id = $1`, [conflictId]);
    return rows[0] ?? null;
  }
}

const limitOf = (limit: number | undefined): number => Math.min(Math.max(Math.trunc(limit ?? 100), 1), MAX_LIMIT);
