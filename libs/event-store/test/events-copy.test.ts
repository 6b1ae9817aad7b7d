import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import type { RecordedEvent } from '../src/event-store.port.js';
import { PostgresEventStore } from '../src/postgres/postgres-event-store.js';
import { CheckpointMismatchError } from '../src/copy/copy-checkpoint.js';
import { backendOf, UnsupportedStoreUrlError, withoutCredentials } from '../src/copy/copy-endpoints.js';
import { HelpRequested, parseEventsCopyArguments, runEventsCopy, UsageError } from '../src/copy/events-copy.command.js';
import { createTestDatabase, type TestDatabase } from '#test-support/test-database';
import { metadata, newEvent, newEvents, readAllPages } from './event-store.fixtures.js';

/** `events:copy` PostgreSQL → PostgreSQL: the same code path as into EventStoreDB, up to the target's append. */
let source: TestDatabase;
let sourcePool: pg.Pool;
let sourceStore: PostgresEventStore;
let workDir: string;
const targets: TestDatabase[] = [];
const quiet = () => undefined;

beforeAll(async () => {
  source = await createTestDatabase('copy_source');
  sourcePool = new pg.Pool({ connectionString: source.url, max: 4 });
  sourceStore = await PostgresEventStore.create(sourcePool);
  await writeLedger();
  workDir = await mkdtemp(join(tmpdir(), 'events-copy-'));
});
afterAll(async () => {
  await sourceStore.close();
  await sourcePool.end();
  await source.drop();
  await Promise.all(targets.map((target) => target.drop()));
  await rm(workDir, { recursive: true, force: true });
});

/** Interleaved streams, appends of several events, metadata of every shape, recorded over two years. */
async function writeLedger(): Promise<void> {
  const appointments = ['appointment-a', 'appointment-b', 'appointment-c'];
  for (let round = 0; round < 4; round++) {
    for (const [index, stream] of appointments.entries()) {
      const meta = metadata({ source: round % 2 ? 'calcom' : 'admin', causationId: round ? `cause-${round}` : null, reason: index === 1 ? 'moved' : undefined, attempt: round });
      await sourceStore.appendToStream(stream, [newEvent('AppointmentNoted', { round, stream, nested: { list: [1, null, 'x'] } }, meta), ...newEvents(index)]);
    }
    await sourceStore.appendToStream(`staff-${round}`, newEvents(1, 'StaffMemberAdded'));
  }
  // Recorded long ago, each at its own time: a copy must not restamp them.
  await sourcePool.query(`UPDATE events SET recorded_at = timestamptz '2023-01-01T00:00:00Z' + global_position * interval '1 day 1 second 7 milliseconds'`);
}

async function newTarget(): Promise<{ url: string; store: PostgresEventStore; close(): Promise<void> }> {
  const database = await createTestDatabase('copy_target');
  targets.push(database);
  const pool = new pg.Pool({ connectionString: database.url, max: 2 });
  const store = await PostgresEventStore.create(pool);
  return { url: database.url, store, close: async () => (await store.close(), await pool.end()) };
}

const comparable = ({ id, streamName, revision, type, data, metadata, recordedAt }: RecordedEvent) => ({ id, streamName, revision, type, data, metadata, recordedAt });

async function everything(store: PostgresEventStore) {
  return (await readAllPages(store)).events.map(comparable);
}

describe('events:copy, PostgreSQL to PostgreSQL', () => {
  test('copies the whole ledger: ids, streams, revisions, data, metadata, recording times and order', async () => {
    const target = await newTarget();
    const checkpoint = join(workDir, 'full.json');
    try {
      await runEventsCopy({ from: source.url, to: target.url, checkpoint, batchSize: 4 }, quiet);

      const expected = await everything(sourceStore);
      expect(expected).toHaveLength(3 * 4 + (0 + 1 + 2) * 4 + 4);
      expect(await everything(target.store)).toEqual(expected);
      expect(await target.store.readStream('appointment-b', { until: expected.find((e) => e.streamName === 'appointment-b' && e.revision === 3)!.recordedAt })).toHaveLength(4);
      expect(JSON.parse(await readFile(checkpoint, 'utf8'))).toMatchObject({ copied: expected.length, from: withoutCredentials(source.url) });
    } finally {
      await target.close();
    }
  });

  test('an interrupted copy resumes after its checkpoint: nothing twice, nothing missing, same order', async () => {
    const target = await newTarget();
    const checkpoint = join(workDir, 'resume.json');
    try {
      await runEventsCopy({ from: source.url, to: target.url, checkpoint, batchSize: 3, stopAfter: 7 }, quiet);
      const sourceEvents = (await readAllPages(sourceStore)).events;
      const expected = sourceEvents.map(comparable);
      expect(await everything(target.store)).toEqual(expected.slice(0, 7));

      const logs: object[] = [];
      await runEventsCopy({ from: source.url, to: target.url, checkpoint, batchSize: 3 }, (message, details) => logs.push({ message, ...details }));

      expect(logs[0]).toMatchObject({ message: expect.stringMatching(/^Copying from/), after: sourceEvents[6].position });
      expect(await everything(target.store)).toEqual(expected);
    } finally {
      await target.close();
    }
  });

  test('a copy that lost its last checkpoints (a crash before saving) copies the overlap again harmlessly, also when the source grew', async () => {
    const target = await newTarget();
    const checkpoint = join(workDir, 'overlap.json');
    try {
      await runEventsCopy({ from: source.url, to: target.url, checkpoint, batchSize: 5, stopAfter: 5 }, quiet);
      const early = await readFile(checkpoint, 'utf8');
      await runEventsCopy({ from: source.url, to: target.url, checkpoint, batchSize: 5, stopAfter: 20 }, quiet);
      await writeFile(checkpoint, early);
      // The stream of the last copied event grows, so the resumed page holds a run of copied and new events.
      const [lastCopied] = (await everything(target.store)).slice(-1);
      await sourceStore.appendToStream(lastCopied.streamName, newEvents(2));

      await runEventsCopy({ from: source.url, to: target.url, checkpoint, batchSize: 500 }, quiet);

      const copied = await everything(target.store);
      expect(copied).toEqual(await everything(sourceStore));
      expect(new Set(copied.map((event) => event.id)).size).toBe(copied.length);
    } finally {
      await target.close();
    }
  });

  test('a checkpoint of another copy is refused rather than resumed', async () => {
    const target = await newTarget();
    const checkpoint = join(workDir, 'other.json');
    try {
      await writeFile(checkpoint, JSON.stringify({ from: 'postgres://elsewhere/ledger', to: withoutCredentials(target.url), position: '1:1', copied: 1 }));

      await expect(runEventsCopy({ from: source.url, to: target.url, checkpoint }, quiet)).rejects.toThrow(CheckpointMismatchError);
      expect(await everything(target.store)).toEqual([]);
    } finally {
      await target.close();
    }
  });
});

describe('events:copy arguments and URLs', () => {
  test('--from and --to are required; numbers must be positive integers; --help asks for the usage', () => {
    expect(parseEventsCopyArguments(['--from', 'postgres://a/x', '--to', 'esdb://b:2113?tls=false', '--stop-after', '10'])).toMatchObject({
      from: 'postgres://a/x',
      to: 'esdb://b:2113?tls=false',
      stopAfter: 10,
      batchSize: undefined,
    });
    expect(() => parseEventsCopyArguments(['--from', 'postgres://a/x'])).toThrow(UsageError);
    expect(() => parseEventsCopyArguments(['--from', 'a', '--to', 'b', '--batch-size', '0'])).toThrow(UsageError);
    expect(() => parseEventsCopyArguments(['--from', 'a', '--to', 'b', '--stop-after', '1.5'])).toThrow(UsageError);
    expect(() => parseEventsCopyArguments(['--help'])).toThrow(HelpRequested);
  });

  test('the backend is chosen by the URL scheme; credentials never reach logs or the checkpoint', () => {
    expect(backendOf('postgres://u:p@h/db')).toBe('postgres');
    expect(backendOf('postgresql://h/db')).toBe('postgres');
    expect(backendOf('esdb://node1:2113,node2:2113?tls=false')).toBe('eventstoredb');
    expect(backendOf('esdb+discover://cluster:2113')).toBe('eventstoredb');
    expect(() => backendOf('mysql://u:secret@h/db')).toThrow(UnsupportedStoreUrlError);
    expect(() => backendOf('mysql://u:secret@h/db')).toThrow(/^mysql:\/\/h\/db/);
    expect(withoutCredentials('esdb://admin:changeit@localhost:2113?tls=false')).toBe('esdb://localhost:2113?tls=false');
  });
});
