import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { load } from 'js-yaml';
import type { RunningLedger } from '../../apps/ledger/src/ledger.js';
import { startTestLedger } from '../support/ledger-for-tests.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

/**
 * The Dockerfile and docker-compose.yml, checked without a container engine (none runs where this is built, so the
 * image itself has never been built here): the compose file parses and runs the ledger beside PostgreSQL, active and
 * standby; the image starts the ledger the way the spawned-ledger tests do; its health check works against a ledger.
 */
const run = promisify(execFile);
const root = process.cwd();
const dockerfile = readFileSync(join(root, 'Dockerfile'), 'utf8');
const instructions = dockerfile
  .replace(/\\\n\s*/g, ' ')
  .split('\n')
  .filter((line) => /^[A-Z]+\s/.test(line));

type Yaml = { [key: string]: any };

/** YAML merge keys (`<<: *anchor`), which Docker Compose applies and js-yaml 5 leaves as they are. */
function merged(node: any): any {
  if (Array.isArray(node)) return node.map(merged);
  if (!node || typeof node !== 'object') return node;
  const { '<<': base, ...own } = node;
  const result: Yaml = base ? { ...merged(base) } : {};
  for (const [key, value] of Object.entries(own)) result[key] = merged(value);
  return result;
}

const compose = merged(load(readFileSync(join(root, 'docker-compose.yml'), 'utf8'))) as Yaml;

it('docker-compose.yml parses and runs the ledger and a standby beside PostgreSQL, on its database', () => {
  const { postgres, ledger, 'ledger-standby': standby } = compose.services;
  const { POSTGRES_USER: user, POSTGRES_PASSWORD: password, POSTGRES_DB: db } = postgres.environment;
  for (const service of [ledger, standby]) {
    expect(service.build).toBe('.');
    expect(service.depends_on).toEqual({ postgres: { condition: 'service_healthy' } });
    expect(service.environment.DATABASE_URL).toBe(`postgres://${user}:${password}@postgres:5432/${db}`);
    for (const required of ['CALCOM_API_KEY', 'PUBLIC_URL', 'API_TOKENS']) expect(service.environment[required]).toMatch(new RegExp(`^\\$\\{${required}:\\?`));
  }
  expect(standby.environment).toEqual(ledger.environment);
  expect(new Set([...ledger.ports, ...standby.ports].map((port: string) => port.split(':')[0])).size).toBe(2);
});

it('the Dockerfile is multi-stage, runs as a non-root user, checks /health and starts what `npm start` and the tests start', () => {
  const stages = instructions.filter((line) => line.startsWith('FROM '));
  expect(stages.length).toBeGreaterThanOrEqual(2);
  const runtime = instructions.slice(instructions.lastIndexOf(stages.at(-1)!));
  const user = runtime.find((line) => line.startsWith('USER '))?.split(/\s+/)[1];
  expect(user).toBeTruthy();
  expect(['root', '0']).not.toContain(user);
  expect(runtime.findIndex((line) => line.startsWith('USER '))).toBeLessThan(runtime.findIndex((line) => line.startsWith('CMD ')));
  expect(runtime.find((line) => line.startsWith('HEALTHCHECK '))).toContain('/health');

  const cmd = JSON.parse(runtime.find((line) => line.startsWith('CMD '))!.slice(4)) as string[];
  const startScript = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { scripts: { start: string } }).scripts.start;
  expect(cmd.join(' ')).toBe(startScript);
  // BuiltLedger (test/support/spawned-ledger.ts) runs <outDir>/apps/ledger/src/main.js; the image's outDir is dist.
  expect(cmd[1]).toBe(join('dist', 'apps', 'ledger', 'src', 'main.js'));
  expect(readFileSync(join(root, 'test/support/spawned-ledger.ts'), 'utf8')).toContain("join(this.outDir, 'apps', 'ledger', 'src', 'main.js')");
});

describe('the image’s health check command', () => {
  let database: TestDatabase;
  let ledger: RunningLedger;
  beforeAll(async () => {
    database = await createTestDatabase('going_live');
    ledger = await startTestLedger(database.url);
  }, 60_000);
  afterAll(async () => {
    await ledger?.close();
    await database?.drop();
  });

  const healthCheck = (port: string) => {
    const line = instructions.find((instruction) => instruction.startsWith('HEALTHCHECK '))!;
    const [node, flag, script] = JSON.parse(line.slice(line.indexOf('CMD ') + 4)) as string[];
    expect([node, flag]).toEqual(['node', '-e']);
    return run(process.execPath, [flag, script], { env: { PATH: process.env.PATH ?? '', PORT: port } }).then(
      () => 0,
      (error: { code: number }) => error.code,
    );
  };

  it('passes against a running ledger and fails where none answers', async () => {
    expect(await healthCheck(new URL(ledger.url).port)).toBe(0);
    expect(await healthCheck('1')).toBe(1);
  });
});
