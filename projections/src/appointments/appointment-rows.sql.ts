import { type ReadModelTable, updateRows, upsertRows } from '../read-model-table.js';
import type { AppointmentRecord } from './appointment-record.js';
import type { ReadModelSql } from '../read-model.js';

/** The appointments table's bulk reads and writes; both writes only ever move a row forward in version. */
export const appointmentsTable: ReadModelTable<AppointmentRecord> = {
  name: 'appointments',
  columns: {
    appointment_id: 'text',
    status: 'text',
    starts_at: 'timestamptz',
    ends_at: 'timestamptz',
    staff_id: 'text',
    service_id: 'text',
    customer: 'jsonb',
    notes: 'text',
    cancellation_reason: 'text',
    version: 'integer',
    created_at: 'timestamptz',
    updated_at: 'timestamptz',
  },
  key: 'appointment_id',
  guard: 'version',
};

/** Times come back as PostgreSQL's own ISO text, so microseconds survive the round trip. */
export async function loadAppointmentRows(manager: ReadModelSql, appointmentIds: readonly string[]): Promise<AppointmentRecord[]> {
  return manager.query(
    `SELECT appointment_id, status, to_json(starts_at) #>> '{}' AS starts_at, to_json(ends_at) #>> '{}' AS ends_at,
            staff_id, service_id, customer, notes, cancellation_reason, version,
            to_json(created_at) #>> '{}' AS created_at, to_json(updated_at) #>> '{}' AS updated_at
       FROM appointments WHERE appointment_id = ANY($1::text[])`,
    [appointmentIds],
  );
}

/** Rows folded from their stream's first event. They may exist already (a replay): then the newer version wins. */
export async function insertAppointmentRows(manager: ReadModelSql, rows: readonly AppointmentRecord[]): Promise<void> {
  const { created_at: _keptFromTheFirstEvent, appointment_id: _key, ...overwritten } = appointmentsTable.columns;
  await upsertRows(manager, appointmentsTable, rows, Object.keys(overwritten) as (keyof AppointmentRecord & string)[]);
}

export interface ContinuedRow {
  row: AppointmentRecord;
  /** False when the batch left the customer as it was: then it is not sent, the most expensive column to parse. */
  customerChanged: boolean;
}

/** Rows that exist (read from the table or remembered after a commit) and that the batch moved on. */
export async function updateAppointmentRows(manager: ReadModelSql, continued: readonly ContinuedRow[]): Promise<void> {
  const rows = continued.map(({ row: { created_at: _unchanged, ...row }, customerChanged }) => ({ ...row, customer: customerChanged ? row.customer : null }));
  await updateRows(manager, appointmentsTable, rows as Omit<AppointmentRecord, 'created_at'>[], { customer: 'coalesce(r.customer, t.customer)' });
}
