import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { openEventStore, type OpenedEventStore } from '../src/open-event-store.js';
import { WrongExpectedRevisionError, type NewEvent } from '../src/event-store.port.js';
import { createTestDatabase, type TestDatabase } from '#test-support/test-database';
import { metadata } from './event-store.fixtures.js';

/** appendToStreams through the store openEventStore gives: every append's personal fields sealed, each append judged alone. */
let database: TestDatabase;
let opened: OpenedEventStore;
let pool: pg.Pool;

beforeAll(async () => {
  database = await createTestDatabase('personal_data_multi_append');
  opened = await openEventStore({ postgresUrl: database.url, poolSize: 3 });
  pool = new pg.Pool({ connectionString: database.url, max: 2 });
});

afterAll(async () => {
  await opened?.close();
  await pool?.end();
  await database?.drop();
});

function scheduled(appointmentId: string, name: string, email: string): NewEvent {
  const customer = { name, email, timeZone: 'UTC', phone: null };
  const data = { appointmentId, serviceId: 's', staffId: 't', startsAt: '2031-01-01T10:00:00.000Z', endsAt: '2031-01-01T10:30:00.000Z', customer, notes: null };
  return { id: randomUUID(), type: 'AppointmentScheduled', data, metadata: metadata() };
}

it('seals every append of a batch, reads them back opened, and reports a refused append in its place', async () => {
  const [ada, bea] = [scheduled('m1', 'Ada Batchwise', 'ada@example.org'), scheduled('m2', 'Bea Batchwise', 'bea@example.org')];
  await opened.store.appendToStream('appointment-m3', [scheduled('m3', 'Cy Earlier', 'cy@example.org')]);

  const outcomes = await opened.store.appendToStreams([
    { streamName: 'appointment-m1', events: [ada], expectedRevision: 'no_stream' },
    { streamName: 'appointment-m3', events: [scheduled('m3', 'Cy Again', 'cy@example.org')], expectedRevision: 'no_stream' },
    { streamName: 'appointment-m2', events: [bea], expectedRevision: 'no_stream' },
  ]);

  expect(outcomes.map((outcome) => outcome.ok)).toEqual([true, false, true]);
  expect((outcomes[1] as { error: unknown }).error).toBeInstanceOf(WrongExpectedRevisionError);
  const { rows } = await pool.query('SELECT data FROM events WHERE event_id = ANY($1)', [[ada.id, bea.id]]);
  expect(JSON.stringify(rows)).not.toMatch(/batchwise|ada@|bea@/i);
  expect((await opened.store.readStream('appointment-m1'))[0].data).toEqual(ada.data);
  expect((await opened.store.readStream('appointment-m2'))[0].data).toEqual(bea.data);
});
