import { randomUUID } from 'node:crypto';
import pg from 'pg';
import type { RunningLedger } from '../../apps/ledger/src/ledger.js';
import { openEventStore } from '#event-store';
import { PostgresEventStore } from '#event-store/postgres';
import { openReadModel, rebuildReadModels } from '#projections';
import { tracesInDatabase } from '../support/database-traces.js';
import { LedgerClient } from '../support/ledger-client.js';
import { ADMIN_TOKEN, AUDITOR_TOKEN, startTestLedger } from '../support/ledger-for-tests.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

/**
 * A ledger that recorded appointments before personal data was encrypted: those events hold it in clear, and the
 * hash chain covers them as they are. Erasure still destroys the keys of everything recorded since, marks the read
 * models erased for good (a rebuild too), and says plainly that the old events still hold the address.
 */
const lena = { name: 'Lena Oldrecord', email: 'lena.oldrecord@example.org', timeZone: 'UTC', phone: '+44 20 7946 0555' };
let database: TestDatabase;
let ledger: RunningLedger;
let admin: LedgerClient;
let pool: pg.Pool;
const legacyAppointment = randomUUID();

beforeAll(async () => {
  database = await createTestDatabase('erasure_legacy');
  pool = new pg.Pool({ connectionString: database.url, max: 2 });
  // The store as it was before this upgrade: no key table, the event as the domain wrote it.
  const before = await PostgresEventStore.create(pool);
  await before.appendToStream(`appointment-${legacyAppointment}`, [
    {
      id: randomUUID(),
      type: 'AppointmentScheduled',
      data: {
        appointmentId: legacyAppointment,
        serviceId: 'cut',
        staffId: 'sam',
        startsAt: '2031-05-01T09:00:00.000Z',
        endsAt: '2031-05-01T09:30:00.000Z',
        customer: lena,
        notes: 'old notes',
      },
      metadata: { actor: 'admin:before', source: 'admin', correlationId: randomUUID(), causationId: null },
    },
  ]);
  await before.close();
  ledger = await startTestLedger(database.url);
  admin = new LedgerClient(ledger.url, ADMIN_TOKEN);
  expect((await admin.put('/staff/sam', { name: 'Sam', email: 'sam@salon.example', calcomUserId: 101 })).status).toBe(200);
  expect((await admin.put('/services/cut', { name: 'Cut', durationMinutes: 30, calcomEventTypeIds: { sam: 1001 } })).status).toBe(200);
});

afterAll(async () => {
  await ledger?.close();
  await pool?.end();
  await database?.drop();
});

it('erases what it can, says how many events recorded before encryption still hold the address, and keeps the read models erased through a rebuild', async () => {
  const recent = await admin.post('/appointments', { serviceId: 'cut', staffId: 'sam', startsAt: '2031-05-02T09:00:00Z', customer: lena, notes: 'new notes' });
  expect(recent.status).toBe(201);
  expect((await admin.get(`/appointments/${legacyAppointment}`)).body).toMatchObject({ customer: lena });

  const erased = await admin.post('/customers/erase', { email: lena.email, reason: 'Asked to be forgotten' });
  expect(erased.status).toBe(200);
  expect(erased.body).toMatchObject({
    complete: false,
    eventsInClearBeforeEncryption: 1,
    keysDestroyed: 1,
    appointmentIds: [legacyAppointment, recent.body.appointmentId].sort(),
  });

  const erasedCustomer = { name: '[erased]', email: '[erased]', phone: '[erased]', timeZone: 'UTC' };
  for (const id of [legacyAppointment, recent.body.appointmentId]) {
    expect((await admin.get(`/appointments/${id}`)).body).toMatchObject({ customer: erasedCustomer, notes: '[erased]', staffId: 'sam', serviceId: 'cut' });
  }
  // Only the event recorded before encryption still holds it, and nothing else: not its read-model row, not the new one.
  const left = await tracesInDatabase(pool, ['oldrecord', '7946 0555']);
  expect(left.traces).toEqual([
    { table: 'public.events', column: 'data', trace: 'oldrecord' },
    { table: 'public.events', column: 'data', trace: '7946 0555' },
  ]);
  const { rows } = await pool.query(`SELECT count(*)::int AS count FROM events WHERE strpos(data::text, 'Oldrecord') > 0`);
  expect(rows[0].count).toBe(1);

  const opened = await openEventStore({ postgresUrl: database.url, poolSize: 2 });
  const readModel = await openReadModel(database.url);
  try {
    await rebuildReadModels(opened.store, readModel);
  } finally {
    await readModel.destroy();
    await opened.close();
  }
  expect((await admin.get(`/appointments/${legacyAppointment}`)).body).toMatchObject({ customer: erasedCustomer, notes: '[erased]' });
  expect((await tracesInDatabase(pool, ['oldrecord'])).traces.map((trace) => trace.table)).toEqual(['public.events']);
  const verified = await admin.as(AUDITOR_TOKEN).get('/audit/verify');
  expect(verified.body).toMatchObject({ intact: true });
});
