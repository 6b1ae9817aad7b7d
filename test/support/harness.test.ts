import pg from 'pg';
import { createTestDatabase } from './test-database.js';

test('each test file gets its own empty database on the run server', async () => {
  const database = await createTestDatabase();
  const client = new pg.Client(database.url);
  await client.connect();
  const { rows } = await client.query<{ tables: string }>("SELECT count(*) AS tables FROM pg_tables WHERE schemaname = 'public'");
  await client.end();
  await database.drop();
  expect(Number(rows[0].tables)).toBe(0);
});
