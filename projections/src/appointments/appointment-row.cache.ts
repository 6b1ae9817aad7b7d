import type { AppointmentRecord } from './appointment-record.js';

/**
 * Rows the projector wrote or read, least recently remembered dropped first, so a batch that continues streams needs
 * no query for them. A row taken to continue its stream is remembered again once its batch commits, so `get` leaves
 * the order as it is (moving it to the end there too was a Map delete and insert for nothing). Safe whatever happens
 * to the table meanwhile: a row at version N is the fold of its stream's first N events, which never change, and the
 * upsert's version guard keeps a stale start from writing backwards.
 * The one rule: only remember rows that are committed (or, in a rebuild, written by the same transaction).
 */
export class AppointmentRowCache {
  private readonly rows = new Map<string, AppointmentRecord>();

  constructor(private readonly capacity = 100_000) {}

  get(appointmentId: string): AppointmentRecord | undefined {
    return this.rows.get(appointmentId);
  }

  remember(rows: Iterable<AppointmentRecord>): void {
    for (const row of rows) this.touch(row);
    for (const oldest of this.rows.keys()) {
      if (this.rows.size <= this.capacity) break;
      this.rows.delete(oldest);
    }
  }

  clear(): void {
    this.rows.clear();
  }

  private touch(row: AppointmentRecord): void {
    this.rows.delete(row.appointment_id);
    this.rows.set(row.appointment_id, row);
  }
}
