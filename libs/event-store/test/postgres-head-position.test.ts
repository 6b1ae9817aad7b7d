import type pg from 'pg';
import { PostgresEventStore } from '../src/postgres/postgres-event-store.js';
import { createTestDatabase, type TestDatabase } from '#test-support/test-database';
import { newEvents } from './event-store.fixtures.js';
import { testPool } from './postgres-test-pool.js';

/** The head decides whether the read models are current before a booking: it must be the newest event, exactly. */

let database: TestDatabase;
let pool: pg.Pool;
let store: PostgresEventStore;

beforeAll(async () => {
  database = await createTestDatabase('head_position');
  pool = testPool(database.url, 4);
  store = await PostgresEventStore.create(pool);
});
afterAll(async () => {
  await store.close();
  await pool.end();
  await database.drop();
});

it('is the newest event in the global order, by number and not by its digits', async () => {
  // Global positions 1 to 12 in one transaction: sorted as text, "9" would come last.
  const first = await store.appendToStream('head-a', newEvents(12, 'AppointmentHeld'));
  expect(await store.headPosition()).toBe(first.position);
  // A later transaction is newer whatever its id looks like; ids crossing a power of ten sort wrong as text too.
  const { rows } = await pool.query<{ xid: string }>('SELECT pg_current_xact_id()::text AS xid');
  const second = await store.appendToStream('head-b', newEvents(1, 'AppointmentHeld'));
  expect(BigInt(second.position.split(':')[0])).toBeGreaterThan(BigInt(rows[0].xid));
  expect(await store.headPosition()).toBe(second.position);
  expect(store.comparePositions(await store.headPosition(), first.position)).toBeGreaterThan(0);
});
