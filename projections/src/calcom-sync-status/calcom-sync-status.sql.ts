/*
 * The sync status is not stored: it depends on the ledger's version, which moves with every appointment event, and
 * rewriting a status row for each of those halved the projector's throughput. It is derived when read, from the
 * fold's columns in `calcom_sync_status` and `appointments.version`.
 */

/** The ledger version `syncStatusOf` takes: the appointment's event count, 0 before it exists. */
const LEDGER_VERSION = 'coalesce(a.version, 0)';

/**
 * `syncStatusOf` (libs/domain) in SQL, over `syncStatusRows`: a missing status row (the sync has not started) has
 * synced nothing, so it is pending. Keep the two in step; the projection tests compare them.
 */
export const SYNC_STATUS = `CASE
    WHEN s.has_conflict THEN 'conflict'
    WHEN s.permanent_failure AND (s.failed_at_version IS NULL OR ${LEDGER_VERSION} <= s.failed_at_version) THEN 'failed'
    WHEN s.synced_version >= ${LEDGER_VERSION} AND NOT s.in_flight AND NOT s.retry_requested THEN 'synced'
    ELSE 'pending' END`;

/**
 * Every appointment the ledger or the sync knows of, as `a` (its version) and `s` (its status row), either of which
 * may be missing; `appointment_id` is the one of whichever exists. `where` filters both sides before the join.
 */
export const syncStatusRows = (where = ''): string =>
  `(SELECT appointment_id, version FROM appointments ${where}) a
   FULL JOIN (SELECT * FROM calcom_sync_status ${where}) s USING (appointment_id)`;
