import pg from 'pg';
import type { DataSource } from 'typeorm';
import { PostgresEventStore } from '#event-store/postgres';
import { createTestDatabase, type TestDatabase } from '#test-support/test-database';
import { Projector } from '../src/projector.js';
import { openReadModel } from '../src/read-model.data-source.js';
import { eventually } from '#test-support/eventually';
import { saveStaff } from './ledger-history.js';

/**
 * Read-your-writes must not be paced by a timer (issue 16 item 3): a command's wait for the read models ends when its
 * event is projected. The store here polls once a minute, so only a prompt wake-up can end a wait within seconds.
 */
let database: TestDatabase;
let pool: pg.Pool;
let store: PostgresEventStore;
let readModel: DataSource;
let projector: Projector;
let observer: pg.Pool;
const STORE = 'projector-wake-store';

beforeAll(async () => {
  database = await createTestDatabase('projector_wake');
  pool = new pg.Pool({ connectionString: database.url, max: 4, application_name: STORE });
  observer = new pg.Pool({ connectionString: database.url, max: 1 });
  store = await PostgresEventStore.create(pool, { pollIntervalMs: 60_000 });
  readModel = await openReadModel(database.url);
  projector = new Projector(store, readModel, { logger: { log: () => undefined, error: () => undefined } });
  await projector.start();
});

afterAll(async () => {
  await projector?.stop();
  await readModel?.destroy();
  await store?.close();
  await pool?.end();
  await observer?.end();
  await database?.drop();
});

test("a write's own append wakes the projector at once", async () => {
  const { position } = await saveStaff(store, 'ada', 'Ada', 'ada@salon.test', null);

  await projector.waitUntilProcessed(position, 5_000);
});

test('an append held back by an older transaction is projected as soon as that transaction commits', async () => {
  const older = await pool.connect();
  try {
    await older.query('BEGIN');
    // Another subscription's checkpoint write, open while the command appends: its id comes before the append's.
    await older.query(`INSERT INTO projection_checkpoints (name, position, updated_at) VALUES ('another-subscription', '0:0', now())`);
    const [{ appended }] = (await older.query('SELECT clock_timestamp() AS appended')).rows;
    const { position } = await saveStaff(store, 'bea', 'Bea', 'bea@salon.test', null);
    const projected = projector.waitUntilProcessed(position, 5_000);
    await projectorHasLookedSince(appended);
    expect(store.comparePositions(projector.position, position)).toBeLessThan(0);

    await older.query('COMMIT');

    await projected;
  } finally {
    older.release();
  }
});

/**
 * The projector, woken by the append, has asked the store for events after it (and found them held back). Asked on a
 * connection of its own: on the store's pool this query could run on the very backend of the projector's last look
 * and hide it (pg_stat_activity shows one query per backend, its latest).
 */
async function projectorHasLookedSince(since: Date): Promise<void> {
  await eventually(async () => {
    const { rows } = await observer.query('SELECT 1 FROM pg_stat_activity WHERE application_name = $1 AND query LIKE $2 AND query_start > $3 AND pid <> pg_backend_pid()', [
      STORE,
      '%first_after%',
      since,
    ]);
    expect(rows.length).toBeGreaterThan(0);
  });
}
