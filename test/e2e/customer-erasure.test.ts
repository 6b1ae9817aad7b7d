import { randomUUID } from 'node:crypto';
import pg from 'pg';
import type { RunningLedger } from '../../apps/ledger/src/ledger.js';
import { openEventStore, type OpenedEventStore } from '#event-store';
import { openReadModel, rebuildReadModels } from '#projections';
import { factFor, startLedgerWithSandbox } from '../support/calcom-ledger.js';
import { slot } from '../support/calcom-sandbox-customer.js';
import { driftScenario } from '../support/drift-scenario.js';
import { eventually } from '../support/eventually.js';
import type { LedgerClient } from '../support/ledger-client.js';
import { AUDITOR_TOKEN } from '../support/ledger-for-tests.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';
import { tracesInDatabase } from '../support/database-traces.js';

/**
 * Issue 15 item 4: a customer's personal data is encrypted under their own key, and `POST /customers/erase` destroys
 * it. Afterwards their name and e-mail are nowhere in the database in clear (every column of every table that can
 * hold text), reads and exports show them erased, a rebuild still works, and the hash chain still verifies.
 */
const zinnia = { name: 'Zinnia Quillfeather', email: 'Zinnia.Quillfeather@example.org', timeZone: 'Europe/Dublin' };
const PHONE = '+353 1 555 0142';
const NOTES = 'Prefers the quiet room; latex allergy';
/** What must not survive: the whole name, the address, and the rarer half of each, in any case. */
const TRACES = ['zinnia quillfeather', 'zinnia.quillfeather@example.org', 'quillfeather', PHONE, 'latex allergy'];
const bob = { name: 'Bob Keeper', email: 'bob.keeper@example.org', timeZone: 'UTC' };

let database: TestDatabase;
let ledger: RunningLedger;
let admin: LedgerClient;
let auditor: LedgerClient;
let pool: pg.Pool;
let sandboxUrl: string;

beforeAll(async () => {
  database = await createTestDatabase('erasure');
  ({ ledger, admin, sandboxUrl } = await startLedgerWithSandbox(database.url));
  auditor = admin.as(AUDITOR_TOKEN);
  pool = new pg.Pool({ connectionString: database.url, max: 2 });
});

afterAll(async () => {
  await pool?.end();
  await ledger?.close();
  await database?.drop();
});

/** Every text-holding column of every table (from the catalog); the search is shown to find what is there first. */
async function tracesLeft(traces: readonly string[]) {
  const found = await tracesInDatabase(pool, traces);
  expect(found.tables).toEqual(expect.arrayContaining(['public.events', 'public.appointments', 'public.drift_checks', 'public.customer_keys', 'public.idempotent_requests']));
  return found.traces;
}

async function appointment(appointmentId: string) {
  const { status, body } = await admin.get(`/appointments/${appointmentId}`);
  expect(status).toBe(200);
  return body;
}

async function schedule(customer: typeof zinnia, startsAt: string, extra: Record<string, unknown> = {}): Promise<string> {
  const appointmentId = randomUUID();
  const created = await admin.post('/appointments', { appointmentId, staffId: 'olivia', serviceId: 'consultation', startsAt, customer, ...extra });
  expect(created.status).toBe(201);
  return appointmentId;
}

async function verified() {
  const { status, body } = await auditor.get('/audit/verify');
  expect(status).toBe(200);
  return body;
}

async function exported(): Promise<string> {
  const response = await fetch(`${ledger.url}/audit/export?format=jsonl`, { headers: { authorization: `Bearer ${AUDITOR_TOKEN}` } });
  expect(response.status).toBe(200);
  return response.text();
}

describe('erasing a customer (crypto-shredding)', () => {
  let scheduled: string;
  let booked: string;
  let kept: string;
  let times: Record<string, { startsAt: string; staffId: string; serviceId: string }>;

  beforeAll(async () => {
    // In the ledger (the sync writes the create call with the attendee), on Cal.com (a webhook with the raw body),
    // changed at the desk (ContactDetailsChanged), and seen by a drift check only (Cal.com's attendee in its items).
    scheduled = await schedule({ ...zinnia, phone: PHONE } as typeof zinnia, slot(2), { notes: NOTES });
    kept = await schedule(bob, slot(4));
    const onCalcom = await fetch(`${sandboxUrl}/_sandbox/bookings`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ eventTypeId: 101, start: slot(6), attendee: zinnia }),
    }).then((response) => response.json() as Promise<{ uid: string }>);
    booked = (await factFor(admin, onCalcom.uid, 'BOOKING_CREATED', 'applied')).appointmentId!;
    const scenario = driftScenario(admin, sandboxUrl);
    await scenario.whenSynced(scheduled);
    await scenario.whenSynced(booked);
    await scenario.withWebhooksLost(() =>
      fetch(`${sandboxUrl}/_sandbox/bookings`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ eventTypeId: 101, start: slot(8), attendee: { ...zinnia, email: zinnia.email.toUpperCase() } }),
      }),
    );
    const report = await scenario.check();
    expect(report.items.some((item) => item.kind === 'missing_in_ledger' && item.calcom?.attendee?.name === zinnia.name)).toBe(true);
    const changed = await admin.post(`/appointments/${booked}/contact`, { customer: { phone: PHONE } });
    expect(changed.status).toBe(200);
    times = {};
    for (const id of [scheduled, booked, kept]) {
      const { startsAt, staffId, serviceId } = await appointment(id);
      times[id] = { startsAt, staffId, serviceId };
    }
  });

  it('keeps personal data out of the event log from the start; the read models hold it until the erasure', async () => {
    const { rows } = await pool.query(`SELECT count(*)::int AS count FROM events WHERE strpos(lower(data::text), 'quillfeather') > 0`);
    expect(rows[0].count).toBe(0);
    const { rows: sealed } = await pool.query(`SELECT DISTINCT type FROM events WHERE data ? '$personalData' ORDER BY type`);
    expect(sealed.map((row) => row.type)).toEqual(
      expect.arrayContaining(['AppointmentScheduled', 'CalcomOperationStarted', 'CalcomWebhookReceived', 'ContactDetailsChanged', 'DriftCheckCompleted']),
    );
    // The search itself finds what is there: the read models' copies.
    const before = await tracesLeft(TRACES);
    expect(before.map((trace) => trace.table)).toEqual(expect.arrayContaining(['public.appointments', 'public.drift_checks']));
    expect(await appointment(scheduled)).toMatchObject({ customer: { ...zinnia, phone: PHONE } });
  });

  it('refuses auditors, hostile input and unknown addresses, with a clear answer', async () => {
    const reason = 'Asked to be forgotten (ticket 42)';
    expect((await auditor.post('/customers/erase', { email: zinnia.email, reason })).status).toBe(403);
    const hostile: unknown[] = [
      { email: 'zinnia\u0000@example.org', reason },
      { email: 'not an address', reason },
      { email: `${'z'.repeat(300)}@example.org`, reason },
      { email: '\ud800@example.org', reason },
      { email: zinnia.email },
      { email: zinnia.email, reason: '' },
      { email: zinnia.email, reason: 'x'.repeat(501) },
      { email: [zinnia.email], reason },
      JSON.parse(`{"email": "${zinnia.email}", "reason": "r", "__proto__": {"admin": true}}`),
      { email: zinnia.email, reason, extra: 1 },
      { email: ` ${zinnia.email}`, reason },
    ];
    for (const body of hostile) {
      const response = await admin.post('/customers/erase', body);
      expect({ body, status: response.status, code: response.body?.error?.code }).toEqual({ body, status: 400, code: 'VALIDATION_FAILED' });
    }
    const unknown = await admin.post('/customers/erase', { email: 'nobody.here@example.org', reason });
    expect(unknown.status).toBe(404);
    expect(unknown.body.error).toMatchObject({ code: 'NOT_FOUND', details: { entity: 'customer' } });
    expect(JSON.stringify(unknown.body)).not.toContain('nobody.here');
    expect(await tracesLeft(['nobody.here'])).toEqual([]);
  });

  it('erases: nowhere in the database in clear, reads and exports show it erased, times stay, the chain verifies', async () => {
    const erased = await admin.post('/customers/erase', { email: zinnia.email.toUpperCase(), reason: 'Asked to be forgotten (ticket 42)' });
    expect(erased.status).toBe(200);
    expect(erased.body).toMatchObject({
      alreadyErased: false,
      complete: true,
      keysDestroyed: 1,
      eventsInClearBeforeEncryption: 0,
      appointmentIds: [scheduled, booked].sort(),
      subjectId: expect.stringMatching(/^[0-9a-f]{64}$/),
      erasedBy: expect.any(String),
    });

    expect(await tracesLeft(TRACES)).toEqual([]);
    for (const id of [scheduled, booked]) {
      const shown = await appointment(id);
      expect(shown).toMatchObject({ ...times[id], customer: { name: '[erased]', email: '[erased]', phone: '[erased]', timeZone: expect.any(String) } });
    }
    expect(await appointment(kept)).toMatchObject({ ...times[kept], customer: bob });
    const history = (await admin.get(`/appointments/${scheduled}/history`)).body.events;
    const erasureOnRecord = history.filter((event: { type: string }) => event.type === 'ContactDetailsChanged');
    expect(erasureOnRecord.at(-1).metadata.reason).toBe('Customer erased: Asked to be forgotten (ticket 42)');

    const text = await exported();
    expect(text.toLowerCase()).not.toContain('quillfeather');
    const lines = text
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(lines.find((line) => line.type === 'CustomerErased')).toMatchObject({ reason: 'Asked to be forgotten (ticket 42)', data: { subjectId: erased.body.subjectId } });
    expect(lines.find((line) => line.type === 'AppointmentScheduled' && line.data.appointmentId === kept).data.customer).toMatchObject(bob);
    expect(await verified()).toMatchObject({ intact: true, problem: null });
  });

  it('erasing twice answers the same erasure and writes nothing more', async () => {
    const { rows: before } = await pool.query('SELECT count(*)::int AS count FROM events');
    const again = await admin.post('/customers/erase', { email: zinnia.email, reason: 'second request' });
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ alreadyErased: true, keysDestroyed: 1, reason: 'Asked to be forgotten (ticket 42)' });
    const { rows: after } = await pool.query('SELECT count(*)::int AS count FROM events');
    expect(after[0].count).toBe(before[0].count);
  });

  it('a rebuild of the read models shows the same erased fields and still nothing in clear; verify still passes', async () => {
    const opened: OpenedEventStore = await openEventStore({ postgresUrl: database.url, poolSize: 2 });
    const readModel = await openReadModel(database.url);
    try {
      const rebuilt = await rebuildReadModels(opened.store, readModel);
      expect(rebuilt.parked).toEqual([]);
    } finally {
      await readModel.destroy();
      await opened.close();
    }
    expect(await tracesLeft(TRACES)).toEqual([]);
    await eventually(async () => {
      expect(await appointment(scheduled)).toMatchObject({ ...times[scheduled], customer: { name: '[erased]', email: '[erased]', phone: '[erased]' } });
    });
    const { rows: checks } = await pool.query(`SELECT items FROM drift_checks WHERE items::text LIKE '%missing_in_ledger%'`);
    const attendees = checks.flatMap((row) => row.items.map((item: { calcom: { attendee: unknown } }) => item.calcom.attendee));
    expect(attendees).toContainEqual({ name: '[erased]', email: '[erased]', phone: null, timeZone: zinnia.timeZone });
    expect(await verified()).toMatchObject({ intact: true, problem: null });
  });

  it('a customer who comes back after the erasure gets a new key: the new booking is readable, the old stays erased', async () => {
    const returning = await schedule(zinnia, slot(10));
    expect(await appointment(returning)).toMatchObject({ customer: zinnia });
    expect(await appointment(scheduled)).toMatchObject({ customer: { name: '[erased]' } });
    const { rows } = await pool.query(`SELECT count(*)::int AS live, count(*) FILTER (WHERE key IS NULL)::int AS erased FROM customer_keys WHERE subject_id = (
                                         SELECT data->>'subjectId' FROM events WHERE type = 'CustomerErased')`);
    expect(rows[0]).toEqual({ live: 2, erased: 1 });
  });
});
