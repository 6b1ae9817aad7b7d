import type pg from 'pg';

/**
 * After seeding and before the clock starts: VACUUM ANALYZE, as autovacuum would have done on a store that has been
 * live for a while (hint bits set, visibility map, planner statistics), then a CHECKPOINT so the seed's dirty pages
 * are not written out during the measurement. Without statistics the planner may pick very different plans for a
 * freshly bulk-loaded table, and autovacuum would kick in at a random moment mid-measurement.
 */
export async function settleDatabase(pool: pg.Pool): Promise<void> {
  await pool.query('VACUUM ANALYZE');
  // Needs superuser or pg_checkpoint, which a DATABASE_URL user may not have; the figures just get noisier.
  await pool.query('CHECKPOINT').catch(() => undefined);
}
