import { newEvents } from './event-store.fixtures.js';
import { postgresStoreForFile } from './postgres-test-pool.js';

/** The head decides whether the read models are current before a booking: it must be the newest event, exactly. */

const postgres = postgresStoreForFile('head_position', 4);

it('is the newest event in the global order, by number and not by its digits', async () => {
  // Global positions 1 to 12 in one transaction: sorted as text, "9" would come last.
  const first = await postgres.store.appendToStream('head-a', newEvents(12, 'AppointmentHeld'));
  expect(await postgres.store.headPosition()).toBe(first.position);
  // A later transaction is newer whatever its id looks like; ids crossing a power of ten sort wrong as text too.
  const { rows } = await postgres.pool.query<{ xid: string }>('SELECT pg_current_xact_id()::text AS xid');
  const second = await postgres.store.appendToStream('head-b', newEvents(1, 'AppointmentHeld'));
  expect(BigInt(second.position.split(':')[0])).toBeGreaterThan(BigInt(rows[0].xid));
  expect(await postgres.store.headPosition()).toBe(second.position);
  expect(postgres.store.comparePositions(await postgres.store.headPosition(), first.position)).toBeGreaterThan(0);
});
