import type { EntityManager } from 'typeorm';
import type { AppointmentRecord } from './appointment-record.js';

/*
 * The appointments table's bulk reads and writes. Rows travel as one array per column through `unnest`, which
 * PostgreSQL parses several times faster than a JSON recordset; both writes only ever move a row forward in version.
 */

/** Times come back as PostgreSQL's own ISO text, so microseconds survive the round trip. */
export async function loadAppointmentRows(manager: EntityManager, appointmentIds: readonly string[]): Promise<AppointmentRecord[]> {
  return manager.query(
    `SELECT appointment_id, status, to_json(starts_at) #>> '{}' AS starts_at, to_json(ends_at) #>> '{}' AS ends_at,
            staff_id, service_id, customer, notes, cancellation_reason, version,
            to_json(created_at) #>> '{}' AS created_at, to_json(updated_at) #>> '{}' AS updated_at
       FROM appointments WHERE appointment_id = ANY($1::text[])`,
    [appointmentIds],
  );
}

/** Rows folded from their stream's first event. They may exist already (a replay): then the newer version wins. */
export async function insertAppointmentRows(manager: EntityManager, rows: readonly AppointmentRecord[]): Promise<void> {
  await manager.query(
    `INSERT INTO appointments AS a
            (appointment_id, status, starts_at, ends_at, staff_id, service_id, customer, notes, cancellation_reason, version,
             created_at, updated_at)
     SELECT * FROM unnest($1::text[], $2::text[], $3::timestamptz[], $4::timestamptz[], $5::text[], $6::text[],
                          $7::jsonb[], $8::text[], $9::text[], $10::integer[], $11::timestamptz[], $12::timestamptz[])
     ON CONFLICT (appointment_id) DO UPDATE SET
            status = EXCLUDED.status, starts_at = EXCLUDED.starts_at, ends_at = EXCLUDED.ends_at,
            staff_id = EXCLUDED.staff_id, service_id = EXCLUDED.service_id, customer = EXCLUDED.customer,
            notes = EXCLUDED.notes, cancellation_reason = EXCLUDED.cancellation_reason,
            version = EXCLUDED.version, updated_at = EXCLUDED.updated_at
      WHERE a.version < EXCLUDED.version`,
    [
      column(rows, 'appointment_id'),
      column(rows, 'status'),
      column(rows, 'starts_at'),
      column(rows, 'ends_at'),
      column(rows, 'staff_id'),
      column(rows, 'service_id'),
      rows.map((row) => JSON.stringify(row.customer)),
      column(rows, 'notes'),
      column(rows, 'cancellation_reason'),
      column(rows, 'version'),
      column(rows, 'created_at'),
      column(rows, 'updated_at'),
    ],
  );
}

export interface ContinuedRow {
  row: AppointmentRecord;
  /** False when the batch left the customer as it was: then it is not sent, the most expensive column to parse. */
  customerChanged: boolean;
}

/** Rows that exist (read from the table or remembered after a commit) and that the batch moved on. */
export async function updateAppointmentRows(manager: EntityManager, continued: readonly ContinuedRow[]): Promise<void> {
  const rows = continued.map(({ row }) => row);
  await manager.query(
    `UPDATE appointments AS a SET
            status = r.status, starts_at = r.starts_at, ends_at = r.ends_at, staff_id = r.staff_id,
            service_id = r.service_id, customer = coalesce(r.customer, a.customer), notes = r.notes,
            cancellation_reason = r.cancellation_reason, version = r.version, updated_at = r.updated_at
       FROM unnest($1::text[], $2::text[], $3::timestamptz[], $4::timestamptz[], $5::text[], $6::text[],
                   $7::jsonb[], $8::text[], $9::text[], $10::integer[], $11::timestamptz[])
            AS r(appointment_id, status, starts_at, ends_at, staff_id, service_id, customer, notes,
                 cancellation_reason, version, updated_at)
      WHERE a.appointment_id = r.appointment_id AND a.version < r.version`,
    [
      column(rows, 'appointment_id'),
      column(rows, 'status'),
      column(rows, 'starts_at'),
      column(rows, 'ends_at'),
      column(rows, 'staff_id'),
      column(rows, 'service_id'),
      continued.map(({ row, customerChanged }) => (customerChanged ? JSON.stringify(row.customer) : null)),
      column(rows, 'notes'),
      column(rows, 'cancellation_reason'),
      column(rows, 'version'),
      column(rows, 'updated_at'),
    ],
  );
}

function column<K extends keyof AppointmentRecord>(rows: readonly AppointmentRecord[], key: K): AppointmentRecord[K][] {
  return rows.map((row) => row[key]);
}
