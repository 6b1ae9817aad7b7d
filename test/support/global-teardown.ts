import { rm } from 'node:fs/promises';

export default async function globalTeardown(): Promise<void> {
  const servers = (globalThis as { __embeddedPostgres?: Array<{ stop(): Promise<void> }> }).__embeddedPostgres;
  if (!servers) return;
  await Promise.all(servers.map((server) => server.stop()));
  await rm(`${process.cwd()}/.test-data/run-${process.pid}`, { recursive: true, force: true });
}
