/**
 * The read model the other contenders project into: the same table and indexes as this project's own
 * `appointments` (projections/src/migrations), so every contender maintains the same rows and index entries.
 */
export const APPOINTMENTS_TABLE_SQL = `
CREATE TABLE IF NOT EXISTS appointments (
  appointment_id text PRIMARY KEY,
  status text NOT NULL,
  starts_at timestamptz NOT NULL,
  ends_at timestamptz NOT NULL,
  staff_id text NOT NULL,
  service_id text NOT NULL,
  customer jsonb NOT NULL,
  notes text,
  cancellation_reason text,
  version integer NOT NULL,
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL
);
CREATE INDEX IF NOT EXISTS appointments_staff_overlap_idx ON appointments (staff_id, status, starts_at, ends_at);
CREATE INDEX IF NOT EXISTS appointments_listing_idx ON appointments (starts_at, appointment_id);
`;
