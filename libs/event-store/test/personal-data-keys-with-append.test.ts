import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { openEventStore, type OpenedEventStore } from '../src/open-event-store.js';
import type { NewEvent } from '../src/event-store.port.js';
import { PERSONAL_DATA_KEY } from '../src/personal-data/personal-data-envelope.js';
import { WrongExpectedRevisionError } from '../src/event-store.port.js';
import { createTestDatabase, type TestDatabase } from '#test-support/test-database';
import { metadata } from './event-store.fixtures.js';

/**
 * A new customer's key is stored by the append that first seals data with it, in the same statement and transaction
 * (append_to_stream_making_keys), not by a statement of its own. Several processes, each with its own pool and cache.
 */
let database: TestDatabase;
let processes: OpenedEventStore[] = [];
let pool: pg.Pool;

beforeAll(async () => {
  database = await createTestDatabase('keys_with_append');
  processes = await Promise.all(Array.from({ length: 4 }, () => openEventStore({ postgresUrl: database.url, poolSize: 4 })));
  pool = new pg.Pool({ connectionString: database.url, max: 2 });
});

afterAll(async () => {
  await Promise.all(processes.map((opened) => opened.close()));
  await pool?.end();
  await database?.drop();
});

const customer = (name: string, email: string) => ({ name, email, timeZone: 'UTC', phone: null });

function scheduled(appointmentId: string, who: ReturnType<typeof customer>): NewEvent {
  const data = { appointmentId, serviceId: 's', staffId: 't', startsAt: '2031-01-01T10:00:00.000Z', endsAt: '2031-01-01T10:30:00.000Z', customer: who, notes: null };
  return { id: randomUUID(), type: 'AppointmentScheduled', data, metadata: metadata() };
}

function driftCheck(emails: string[]): NewEvent {
  const items = emails.map((email) => ({ kind: 'missing_in_ledger', calcom: { uid: `uid-${email}`, attendee: customer('Drift Person', email) } }));
  return { id: randomUUID(), type: 'DriftCheckCompleted', data: { checkId: randomUUID(), items }, metadata: metadata() };
}

async function keysOf(email: string): Promise<{ key_id: string; live: boolean }[]> {
  const subject = processes[0].personalData.keys.subjectOf(email);
  const { rows } = await pool.query('SELECT key_id, key IS NOT NULL AS live FROM customer_keys WHERE subject_id = $1', [subject]);
  return rows;
}

async function envelopeKeysOf(eventIds: string[]): Promise<string[]> {
  const { rows } = await pool.query(`SELECT data -> '${PERSONAL_DATA_KEY}' -> 0 ->> 'key' AS key FROM events WHERE event_id = ANY($1::uuid[])`, [eventIds]);
  return rows.map((row) => row.key);
}

it("stores a new customer's key in the transaction of the append that first uses it", async () => {
  const event = scheduled('k1', customer('Kai Together', 'kai@example.org'));
  await processes[0].store.appendToStream('appointment-k1', [event], { expectedRevision: 'no_stream' });
  const subject = processes[0].personalData.keys.subjectOf('kai@example.org');
  const { rows } = await pool.query(
    `SELECT (SELECT xmin::text FROM customer_keys WHERE subject_id = $1) AS key_xid,
            (SELECT (transaction_id::text::bigint % 4294967296)::text FROM events WHERE event_id = $2) AS event_xid`,
    [subject, event.id],
  );
  expect(rows[0].key_xid).toBe(rows[0].event_xid);
});

it('a failed append stores no key: the key is rolled back with its events', async () => {
  await processes[0].store.appendToStream('appointment-k2', [scheduled('k2', customer('Someone Else', 'else@example.org'))]);
  const refused = scheduled('k2', customer('Lena Refused', 'lena@example.org'));
  await expect(processes[1].store.appendToStream('appointment-k2', [refused], { expectedRevision: 'no_stream' })).rejects.toBeInstanceOf(WrongExpectedRevisionError);
  expect(await keysOf('lena@example.org')).toEqual([]);
  // The key the process made for it was never remembered: the next append makes (and stores) one.
  const accepted = scheduled('k3', customer('Lena Refused', 'lena@example.org'));
  await processes[1].store.appendToStream('appointment-k3', [accepted], { expectedRevision: 'no_stream' });
  const keys = await keysOf('lena@example.org');
  expect(keys).toEqual([{ key_id: expect.any(String), live: true }]);
  expect(await envelopeKeysOf([accepted.id])).toEqual([keys[0].key_id]);
  expect((await processes[2].store.readStream('appointment-k3'))[0].data).toEqual(accepted.data);
});

it('concurrent first appends of one new customer from many connections and processes make one key, used by every event', async () => {
  const email = 'many@example.org';
  const events = Array.from({ length: 24 }, (_, index) => scheduled(`m${index}`, customer('Mona Many', index % 2 ? email : 'MANY@example.org')));
  await Promise.all(events.map((event, index) => processes[index % processes.length].store.appendToStream(`appointment-m${index}`, [event], { expectedRevision: 'no_stream' })));
  const keys = await keysOf(email);
  expect(keys).toEqual([{ key_id: expect.any(String), live: true }]);
  expect(new Set(await envelopeKeysOf(events.map((event) => event.id)))).toEqual(new Set([keys[0].key_id]));
  for (const [index, event] of events.entries()) {
    const [read] = await processes[(index + 1) % processes.length].store.readStream(`appointment-m${index}`);
    expect(read.data).toEqual(event.data);
  }
});

it('appends making the same two customers their keys in opposite orders neither deadlock nor make two keys', async () => {
  const pair = ['ada-pair@example.org', 'bo-pair@example.org'];
  const appends = Array.from({ length: 16 }, (_, index) => {
    const event = driftCheck(index % 2 ? pair : [...pair].reverse());
    return processes[index % processes.length].store.appendToStream(`drift-checks-${index}`, [event], { expectedRevision: 'no_stream' });
  });
  await Promise.all(appends);
  for (const email of pair) expect(await keysOf(email)).toEqual([{ key_id: expect.any(String), live: true }]);
});

it('a process whose cache lacks a returning customer seals with the stored key, and a retry of a stored append is still a retry', async () => {
  const event = scheduled('r1', customer('Rita Returns', 'rita@example.org'));
  const once = await processes[0].store.appendToStream('appointment-r1', [event], { expectedRevision: 'no_stream' });
  const [key] = await keysOf('rita@example.org');
  // processes[3] never met Rita: it makes a key, the append fails on the live one, and it seals again with that.
  const again = await processes[3].store.appendToStream('appointment-r1', [event], { expectedRevision: 'no_stream' });
  expect(again).toEqual(once);
  const later = scheduled('r2', customer('Rita Returns', 'rita@example.org'));
  await processes[3].store.appendToStream('appointment-r2', [later], { expectedRevision: 'no_stream' });
  expect(await keysOf('rita@example.org')).toEqual([key]);
  expect(await envelopeKeysOf([event.id, later.id])).toEqual([key.key_id, key.key_id]);
});

it("appends together (appendToStreams) store their new customers' keys in their own statement", async () => {
  const [one, two] = [scheduled('v1', customer('Vera Batch', 'vera@example.org')), scheduled('v2', customer('Wim Batch', 'wim@example.org'))];
  const outcomes = await processes[0].store.appendToStreams([
    { streamName: 'appointment-v1', events: [one], expectedRevision: 'no_stream' },
    { streamName: 'appointment-v2', events: [two], expectedRevision: 'no_stream' },
  ]);
  expect(outcomes.map((outcome) => outcome.ok)).toEqual([true, true]);
  const subjects = ['vera@example.org', 'wim@example.org'].map((email) => processes[0].personalData.keys.subjectOf(email));
  const { rows } = await pool.query(
    `SELECT (SELECT array_agg(DISTINCT xmin::text) FROM customer_keys WHERE subject_id = ANY($1)) AS key_xids,
            (SELECT array_agg(DISTINCT (transaction_id::text::bigint % 4294967296)::text) FROM events WHERE event_id = ANY($2::uuid[])) AS event_xids`,
    [subjects, [one.id, two.id]],
  );
  expect(rows[0].key_xids).toHaveLength(1);
  expect(rows[0].key_xids).toEqual(rows[0].event_xids);
  expect((await processes[1].store.readStream('appointment-v2'))[0].data).toEqual(two.data);
});

it('appends together from many processes, meeting one new customer at once, make one key for them', async () => {
  const email = 'together@example.org';
  const batches = processes.map((opened, index) =>
    opened.store.appendToStreams([
      { streamName: `appointment-t${index}`, events: [scheduled(`t${index}`, customer('Tom Together', email))], expectedRevision: 'no_stream' },
      { streamName: `appointment-u${index}`, events: [scheduled(`u${index}`, customer(`Una ${index}`, `una-${index}@example.org`))], expectedRevision: 'no_stream' },
    ]),
  );
  const outcomes = (await Promise.all(batches)).flat();
  expect(outcomes.map((outcome) => outcome.ok)).toEqual(outcomes.map(() => true));
  expect(await keysOf(email)).toEqual([{ key_id: expect.any(String), live: true }]);
  for (let index = 0; index < processes.length; index++) {
    expect(await keysOf(`una-${index}@example.org`)).toEqual([{ key_id: expect.any(String), live: true }]);
    const [read] = await processes[(index + 1) % processes.length].store.readStream(`appointment-t${index}`);
    expect(read.data).toMatchObject({ customer: { name: 'Tom Together', email } });
  }
});
