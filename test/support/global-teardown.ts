import { rm } from 'node:fs/promises';

export default async function globalTeardown(): Promise<void> {
  const database = (globalThis as { __embeddedPostgres?: { stop(): Promise<void> } }).__embeddedPostgres;
  if (!database) return;
  await database.stop();
  await rm(`${process.cwd()}/.test-data/run-${process.pid}`, { recursive: true, force: true });
}
