import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { openEventStore, type OpenedEventStore } from '../src/open-event-store.js';
import type { NewEvent } from '../src/event-store.port.js';
import { PERSONAL_DATA_KEY } from '../src/personal-data/personal-data-envelope.js';
import { createTestDatabase, type TestDatabase } from '#test-support/test-database';
import { eventually } from '#test-support/eventually';
import { metadata } from './event-store.fixtures.js';

/** The event store as openEventStore gives it: personal data sealed per customer, opened on read, erased with the key. */
let database: TestDatabase;
let first: OpenedEventStore;
let second: OpenedEventStore;
let pool: pg.Pool;

beforeAll(async () => {
  database = await createTestDatabase('personal_data');
  first = await openEventStore({ postgresUrl: database.url, poolSize: 3 });
  // Another process of the same ledger: its own pool, key cache and LISTEN connection.
  second = await openEventStore({ postgresUrl: database.url, poolSize: 3 });
  pool = new pg.Pool({ connectionString: database.url, max: 2 });
});

afterAll(async () => {
  await first?.close();
  await second?.close();
  await pool?.end();
  await database?.drop();
});

const customer = (name: string, email: string) => ({ name, email, timeZone: 'UTC', phone: null });

function scheduled(appointmentId: string, who: ReturnType<typeof customer>, notes: string | null = 'likes tea'): NewEvent {
  const data = { appointmentId, serviceId: 's', staffId: 't', startsAt: '2031-01-01T10:00:00.000Z', endsAt: '2031-01-01T10:30:00.000Z', customer: who, notes };
  return { id: randomUUID(), type: 'AppointmentScheduled', data, metadata: metadata() };
}

async function storedData(eventId: string): Promise<Record<string, unknown>> {
  const { rows } = await pool.query('SELECT data FROM events WHERE event_id = $1', [eventId]);
  return rows[0].data;
}

const erase = (store: OpenedEventStore, email: string) => store.personalData.keys.erase(email, { actor: 'test', reason: 'asked' }, async () => false);

it('stores the personal fields sealed and reads them back as they were; other fields stay in clear', async () => {
  const event = scheduled('a1', customer('Greta Sealwise', 'greta@example.org'));
  await first.store.appendToStream('appointment-a1', [event]);
  const stored = await storedData(event.id);
  expect(JSON.stringify(stored)).not.toMatch(/greta|sealwise|likes tea/i);
  expect(stored).toMatchObject({ appointmentId: 'a1', startsAt: '2031-01-01T10:00:00.000Z', customer: { timeZone: 'UTC', phone: null } });
  expect(stored[PERSONAL_DATA_KEY]).toEqual([{ key: expect.any(String), paths: [['customer', 'name'], ['customer', 'email'], ['notes']], sealed: expect.any(String) }]);
  const [read] = await second.store.readStream('appointment-a1');
  expect(read.data).toEqual(event.data);
});

it('an idempotent retry stays a retry: the same event appended again stores the same bytes', async () => {
  const event = scheduled('a2', customer('Ivo Retry', 'ivo@example.org'));
  const once = await first.store.appendToStream('appointment-a2', [event], { expectedRevision: 'no_stream' });
  const again = await second.store.appendToStream('appointment-a2', [event], { expectedRevision: 'no_stream' });
  expect(again).toEqual(once);
  const changed = { ...event, data: { ...(event.data as object), notes: 'changed' } };
  await expect(first.store.appendToStream('appointment-a2', [changed], { expectedRevision: 'no_stream' })).rejects.toThrow(/already appended/);
});

it('an erasure in one process is seen by the other at once (NOTIFY), for reads and the global order alike', async () => {
  const event = scheduled('a3', customer('Lotte Forgotten', 'Lotte@Example.org'));
  await first.store.appendToStream('appointment-a3', [event]);
  expect((await second.store.readStream('appointment-a3'))[0].data).toMatchObject({ customer: { name: 'Lotte Forgotten' } });
  const result = await erase(first, ' lotte@example.ORG');
  expect(result).toMatchObject({ keysDestroyed: 1, keysKnown: 1, erasure: { erasedBy: 'test', reason: 'asked' } });
  await eventually(async () => {
    const [read] = await second.store.readStream('appointment-a3');
    expect(read.data).toMatchObject({ customer: { name: '[erased]', email: '[erased]', phone: null, timeZone: 'UTC' }, notes: '[erased]', startsAt: '2031-01-01T10:00:00.000Z' });
  });
  const all = await second.store.readAll({ streamPrefixes: ['appointment-a3'] });
  expect(all.events[0].data).toMatchObject({ customer: { email: '[erased]' } });
  // Erasing again destroys nothing more and says which erasure is on record.
  expect(await erase(second, 'lotte@example.org')).toMatchObject({ keysDestroyed: 0, keysKnown: 1, erasure: result.erasure });
});

it('one event naming two customers (a drift check) loses only the erased one', async () => {
  const attendee = (name: string, email: string) => ({ calcom: { uid: `uid-${email.length}`, attendee: customer(name, email) }, kind: 'missing_in_ledger' });
  const event: NewEvent = {
    id: randomUUID(),
    type: 'DriftCheckCompleted',
    data: { checkId: 'c1', items: [attendee('Mia Stays', 'mia@example.org'), attendee('Noor Goes', 'noor@example.org'), { kind: 'pending', calcom: null }] },
    metadata: metadata(),
  };
  await first.store.appendToStream('drift-checks', [event]);
  expect(JSON.stringify(await storedData(event.id))).not.toMatch(/mia|noor/i);
  await erase(first, 'noor@example.org');
  const [read] = await first.store.readStream('drift-checks');
  expect(read.data).toEqual({
    checkId: 'c1',
    items: [
      attendee('Mia Stays', 'mia@example.org'),
      { kind: 'missing_in_ledger', calcom: { uid: 'uid-16', attendee: { name: '[erased]', email: '[erased]', timeZone: 'UTC', phone: null } } },
      { kind: 'pending', calcom: null },
    ],
  });
});

it('an envelope altered in the database, or moved to another event, reads as erased instead of failing the read', async () => {
  const [a, b] = [scheduled('a5', customer('Olaf Tampered', 'olaf@example.org')), scheduled('a5', customer('Olaf Tampered', 'olaf@example.org'))];
  await first.store.appendToStream('appointment-a5', [a, b]);
  await pool.query(
    `UPDATE events SET data = jsonb_set(data, '{${PERSONAL_DATA_KEY},0,sealed}', to_jsonb('AAAA' || substr(data #>> '{${PERSONAL_DATA_KEY},0,sealed}', 5))) WHERE event_id = $1`,
    [a.id],
  );
  await pool.query(`UPDATE events SET data = (SELECT data FROM events WHERE event_id = $1) WHERE event_id = $2`, [a.id, b.id]);
  const read = await first.store.readStream('appointment-a5');
  expect(read.map((event) => (event.data as { customer: { name: string } }).customer.name)).toEqual(['[erased]', '[erased]']);
});

it('a customer back after an erasure gets a new key; two processes meeting a new customer at once make one', async () => {
  await Promise.all([
    first.store.appendToStream('appointment-a6', [scheduled('a6', customer('Pia Twice', 'pia@example.org'))]),
    second.store.appendToStream('appointment-a7', [scheduled('a7', customer('Pia Twice', 'PIA@example.org'))]),
  ]);
  const subject = first.personalData.keys.subjectOf('pia@example.org');
  const count = async () => (await pool.query('SELECT count(*)::int AS all, count(key)::int AS live FROM customer_keys WHERE subject_id = $1', [subject])).rows[0];
  expect(await count()).toEqual({ all: 1, live: 1 });
  // Erased by the process that writes next: another process learns of it by NOTIFY, a few milliseconds later, and
  // until then may still seal new data under the destroyed key (which then reads as erased: never in clear).
  await erase(first, 'pia@example.org');
  await first.store.appendToStream('appointment-a8', [scheduled('a8', customer('Pia Twice', 'pia@example.org'))]);
  expect(await count()).toEqual({ all: 2, live: 1 });
  expect((await second.store.readStream('appointment-a8'))[0].data).toMatchObject({ customer: { name: 'Pia Twice' } });
  expect((await second.store.readStream('appointment-a6'))[0].data).toMatchObject({ customer: { name: '[erased]' } });
});
