import { randomUUID } from 'node:crypto';
import pg from 'pg';

export interface TestDatabase {
  readonly url: string;
  drop(): Promise<void>;
}

/** A fresh, empty database on this Jest worker's server (see global-setup.ts); drop it in afterAll. */
export async function createTestDatabase(prefix = 'test'): Promise<TestDatabase> {
  const serverUrl = testServerUrl();
  const name = `${prefix}_${randomUUID().replaceAll('-', '').slice(0, 16)}`;
  const admin = new pg.Client(serverUrl);
  await admin.connect();
  await admin.query(`CREATE DATABASE "${name}"`);
  await admin.end();
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const client = new pg.Client(serverUrl);
      await client.connect();
      await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      await client.end();
    },
  };
}

/** The server of this Jest worker (JEST_WORKER_ID counts from 1), or the one server given for the run. */
function testServerUrl(): string {
  const perWorker = process.env.TEST_DATABASE_URLS?.split(' ').filter(Boolean) ?? [];
  if (perWorker.length > 0) return perWorker[(Number(process.env.JEST_WORKER_ID ?? '1') - 1) % perWorker.length];
  const given = process.env.TEST_DATABASE_URL;
  if (!given) throw new Error('TEST_DATABASE_URL is not set: run tests through `npm test` (jest globalSetup)');
  return given;
}
