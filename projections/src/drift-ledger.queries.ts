import type { DataSource } from 'typeorm';
import type { DriftCatalog, LedgerAppointmentLevel, UidChain } from '#domain';
import { SYNC_STATUS, syncStatusRows } from './calcom-sync-status/calcom-sync-status.sql.js';
import { storedIdOf } from './stored-id.transformer.js';

interface AppointmentLevelRow {
  appointment_id: string;
  status: string;
  starts_at: Date;
  ends_at: Date;
  staff_id: string;
  service_id: string;
  customer: LedgerAppointmentLevel['customer'];
  version: number;
}

const APPOINTMENT_COLUMNS = 'appointment_id, status, starts_at, ends_at, staff_id, service_id, customer, version';

/** Sync statuses that mean the sync still owes Cal.com something, or a person is deciding: not drift. */
const UNSETTLED = ['pending', 'conflict'];

/** The ledger's side of a drift check, read from the read models in a few set-based queries. */
export class DriftLedgerQueries {
  constructor(private readonly dataSource: DataSource) {}

  /** Appointments wholly inside the window, as Cal.com's `afterStart`/`beforeEnd` filters select bookings. */
  async appointmentsInWindow(from: string, to: string): Promise<LedgerAppointmentLevel[]> {
    const rows: AppointmentLevelRow[] = await this.dataSource.query(`SELECT ${APPOINTMENT_COLUMNS} FROM appointments WHERE starts_at >= $1 AND ends_at <= $2`, [from, to]);
    return rows.map(toLevel);
  }

  /** Appointments in the window that changed in the ledger since `since`: an incremental check's ledger side. */
  async appointmentsChangedSince(since: string, from: string, to: string): Promise<LedgerAppointmentLevel[]> {
    const rows: AppointmentLevelRow[] = await this.dataSource.query(
      `SELECT ${APPOINTMENT_COLUMNS} FROM appointments WHERE updated_at >= $1 AND starts_at >= $2 AND ends_at <= $3`,
      [since, from, to],
    );
    return rows.map(toLevel);
  }

  async appointmentsByIds(ids: readonly string[]): Promise<LedgerAppointmentLevel[]> {
    if (ids.length === 0) return [];
    const rows: AppointmentLevelRow[] = await this.dataSource.query(`SELECT ${APPOINTMENT_COLUMNS} FROM appointments WHERE appointment_id = ANY($1::text[])`, [ids]);
    return rows.map(toLevel);
  }

  async chainsOf(appointmentIds: readonly string[]): Promise<UidChain[]> {
    if (appointmentIds.length === 0) return [];
    const rows: { appointment_id: string; booking_uid: string | null; booking_uids: string[] | null }[] = await this.dataSource.query(
      `SELECT appointment_id, booking_uid, booking_uids FROM ${syncStatusRows('WHERE appointment_id = ANY($1::text[])')}`,
      [appointmentIds],
    );
    return rows.map((row) => ({ appointmentId: row.appointment_id, bookingUid: row.booking_uid, bookingUids: row.booking_uids ?? [] }));
  }

  /** uid → appointment, through every link of every chain. */
  async ownersOf(uids: readonly string[]): Promise<Map<string, string>> {
    if (uids.length === 0) return new Map();
    const rows: { uid: string; appointment_id: string }[] = await this.dataSource.query('SELECT uid, appointment_id FROM calcom_booking_uids WHERE uid = ANY($1::text[])', [uids]);
    return new Map(rows.map((row) => [row.uid, row.appointment_id]));
  }

  /** Of these appointments, the ones the sync still has work for. */
  async unsettledOf(appointmentIds: readonly string[]): Promise<string[]> {
    if (appointmentIds.length === 0) return [];
    const rows: { appointment_id: string }[] = await this.dataSource.query(
      `SELECT appointment_id FROM ${syncStatusRows('WHERE appointment_id = ANY($1::text[])')} WHERE ${SYNC_STATUS} = ANY($2::text[])`,
      [appointmentIds, UNSETTLED],
    );
    return rows.map((row) => row.appointment_id);
  }

  async catalog(): Promise<DriftCatalog> {
    const staff: { staff_id: string; calcom_user_id: string | null }[] = await this.dataSource.query('SELECT staff_id, calcom_user_id FROM staff');
    const services: { service_id: string; duration_minutes: number; calcom_event_type_ids: Record<string, number> }[] = await this.dataSource.query(
      'SELECT service_id, duration_minutes, calcom_event_type_ids FROM services',
    );
    return {
      staff: staff.map((row) => ({ staffId: row.staff_id, calcomUserId: storedIdOf(row.calcom_user_id) })),
      services: services.map((row) => ({ serviceId: row.service_id, durationMinutes: row.duration_minutes, calcomEventTypeIds: row.calcom_event_type_ids })),
    };
  }
}

function toLevel(row: AppointmentLevelRow): LedgerAppointmentLevel {
  return {
    appointmentId: row.appointment_id,
    status: row.status,
    startsAt: row.starts_at.toISOString(),
    endsAt: row.ends_at.toISOString(),
    staffId: row.staff_id,
    serviceId: row.service_id,
    customer: { ...row.customer, phone: row.customer.phone ?? null },
    version: row.version,
  };
}
