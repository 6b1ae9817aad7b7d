import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { fingerprintOf, RUNNING_LEASE_MS } from '../../apps/ledger/src/idempotency/idempotent-requests.js';
import type { RunningLedger } from '../../apps/ledger/src/ledger.js';
import { PROJECTOR } from '../../apps/ledger/src/ledger.tokens.js';
import type { Projector } from '#projections';
import { mutationsOf, type SandboxLevers } from '../support/calcom-sync-harness.js';
import { type CalcomSyncSetup, dailySlots, startCalcomSyncSetup } from '../support/calcom-sync-setup.js';
import { eventually } from '../support/eventually.js';
import type { LedgerClient } from '../support/ledger-client.js';
import { AUDITOR_TOKEN } from '../support/ledger-for-tests.js';

/** POST /appointments/bulk against the sandbox over real HTTP: per-item answers, idempotent repeats, hostile bodies. */
let setup: CalcomSyncSetup;
let levers: SandboxLevers;
let ledger: RunningLedger;
let admin: LedgerClient;
const nextSlot = dailySlots(40);

beforeAll(async () => {
  setup = await startCalcomSyncSetup('appointments_bulk');
  ({ levers, ledger, admin } = setup);
});

afterAll(() => setup?.close());

async function schedule(staffId = 'olivia', startsAt = nextSlot()): Promise<string> {
  const appointmentId = randomUUID();
  const customer = { name: 'Ada Lovelace', email: `ada-${appointmentId.slice(0, 8)}@example.com`, timeZone: 'Europe/London' };
  const created = await admin.post('/appointments', { appointmentId, serviceId: 'consult', staffId, startsAt, customer });
  expect(created.status).toBe(201);
  return appointmentId;
}

const synced = (appointmentId: string) =>
  eventually(async () => {
    const { body } = await admin.get(`/appointments/${appointmentId}`);
    expect(body.calcom.syncStatus).toBe('synced');
    return body;
  }, 20_000);

const bulk = (commands: unknown, key?: string) => admin.post('/appointments/bulk', { commands }, key ? { 'Idempotency-Key': key } : {});

test('a bulk request with a failing item answers each item in order, and a repeat with the same key acts no more on Cal.com', async () => {
  const [a, b, c, gone] = [await schedule(), await schedule(), await schedule('hugo'), await schedule()];
  await Promise.all([a, b, c, gone].map(synced));
  expect((await admin.post(`/appointments/${gone}/cancel`, { reason: 'Moved away' })).status).toBe(200);
  const later = nextSlot(11);
  const key = randomUUID();
  const commands = [
    { appointmentId: a, command: 'cancel', body: { reason: 'Salon closed' } },
    { appointmentId: gone, command: 'cancel', body: { reason: 'Again' } },
    { appointmentId: b, command: 'reschedule', body: { startsAt: later }, ifMatch: '"1"' },
    { appointmentId: c, command: 'reschedule', body: { startsAt: later }, ifMatch: '"7"' },
  ];
  const first = await bulk(commands, key);
  expect(first.status).toBe(200);
  expect(first.body.results).toEqual([
    { appointmentId: a, status: 200, version: 2 },
    { appointmentId: gone, status: 409, error: expect.objectContaining({ code: 'APPOINTMENT_CANCELLED' }) },
    { appointmentId: b, status: 200, version: 2 },
    { appointmentId: c, status: 412, error: expect.objectContaining({ code: 'VERSION_CONFLICT' }) },
  ]);
  // One failure undoes nothing else: a is cancelled and b moved, each synced.
  expect((await synced(a)).status).toBe('cancelled');
  expect((await synced(b)).startsAt).toBe(later);

  const repeat = await bulk(commands, key);
  expect(repeat.status).toBe(200);
  expect(repeat.headers.get('idempotent-replayed')).toBe('true');
  expect(repeat.body).toEqual(first.body);
  const state = await levers.state();
  expect(mutationsOf(state, a).map((m) => m.op)).toEqual(['create', 'cancel']);
  expect(mutationsOf(state, b).map((m) => m.op)).toEqual(['create', 'reschedule']);
  expect(mutationsOf(state, c).map((m) => m.op)).toEqual(['create']);
  expect((await admin.get(`/appointments/${a}`)).body.version).toBe(2);
  const history = (await admin.get(`/appointments/${a}/history`)).body.events.filter((event: { type: string }) => event.type === 'AppointmentCancelled');
  expect(history).toHaveLength(1);
  expect(history[0].metadata).toMatchObject({ source: 'admin', reason: 'Salon closed', bulk: { index: 0, idempotencyKey: key } });
});

test('the same Idempotency-Key with another body is 422 IDEMPOTENCY_KEY_REUSED and acts on nothing', async () => {
  const a = await schedule();
  const key = randomUUID();
  expect((await bulk([{ appointmentId: a, command: 'reschedule', body: { startsAt: nextSlot(9) } }], key)).status).toBe(200);
  const version = (await admin.get(`/appointments/${a}`)).body.version;
  const other = await bulk([{ appointmentId: a, command: 'cancel', body: { reason: 'Other request' } }], key);
  expect(other.status).toBe(422);
  expect(other.body.error.code).toBe('IDEMPOTENCY_KEY_REUSED');
  expect((await admin.get(`/appointments/${a}`)).body).toMatchObject({ status: 'scheduled', version });
});

test('concurrent repeats of one request act once: the others wait their turn (409 IDEMPOTENCY_KEY_IN_USE) or get the same answer', async () => {
  const ids = [await schedule(), await schedule(), await schedule()];
  const key = randomUUID();
  const commands = ids.map((appointmentId) => ({ appointmentId, command: 'cancel', body: { reason: 'Storm' } }));
  const answers = await Promise.all(Array.from({ length: 5 }, () => bulk(commands, key)));
  const done = answers.filter((answer) => answer.status === 200);
  expect(done.length).toBeGreaterThanOrEqual(1);
  for (const answer of answers.filter((answer) => answer.status !== 200)) {
    expect(answer.status).toBe(409);
    expect(answer.body.error.code).toBe('IDEMPOTENCY_KEY_IN_USE');
    expect(answer.headers.get('retry-after')).toBe('1');
  }
  for (const answer of done) expect(answer.body.results.map((result: { status: number }) => result.status)).toEqual([200, 200, 200]);
  const final = await eventually(async () => {
    const answer = await bulk(commands, key);
    expect(answer.status).toBe(200);
    return answer;
  });
  expect(final.body.results.map((result: { version: number }) => result.version)).toEqual([2, 2, 2]);
  for (const appointmentId of ids) {
    const events = (await admin.get(`/appointments/${appointmentId}/history`)).body.events.filter((event: { type: string }) => event.type === 'AppointmentCancelled');
    expect(events).toHaveLength(1);
  }
});

test('a run cut short (its instance gone, its lease lapsed) is finished by the repeat, which does only the items without a result', async () => {
  const [done, left] = [await schedule(), await schedule()];
  const key = randomUUID();
  const commands = [done, left].map((appointmentId) => ({ appointmentId, command: 'cancel', body: { reason: 'Closed' } }));
  const stored = { appointmentId: done, status: 200, version: 2 };
  // What the first run left behind: the first item answered, the second not, and no progress for longer than the lease.
  const database_ = new pg.Client(setup.database.url);
  await database_.connect();
  try {
    const insert = `INSERT INTO idempotent_requests (scope, key, fingerprint, status, steps, updated_at)
                    VALUES ('appointments-bulk', $1, $2, 'running', $3::jsonb, now() - make_interval(secs => $4::float8 / 1000))`;
    await database_.query(insert, [key, fingerprintOf({ commands }), JSON.stringify({ 0: stored }), RUNNING_LEASE_MS + 5_000]);
    const fresh = randomUUID();
    await database_.query(insert, [fresh, fingerprintOf({ commands }), '{}', 0]);
    const running = await bulk(commands, fresh);
    expect(running.status).toBe(409);
    expect(running.body.error.code).toBe('IDEMPOTENCY_KEY_IN_USE');
  } finally {
    await database_.end();
  }
  const { status, body } = await bulk(commands, key);
  expect(status).toBe(200);
  expect(body.results).toEqual([stored, { appointmentId: left, status: 200, version: 2 }]);
  // The first item was not done again: its appointment is as it was (the stored answer stands for what happened then).
  expect((await admin.get(`/appointments/${done}`)).body).toMatchObject({ status: 'scheduled', version: 1 });
  expect((await admin.get(`/appointments/${left}`)).body.status).toBe('cancelled');
  expect((await bulk(commands, key)).body).toEqual(body);
});

test('items refused for now (503, read models behind) are not kept: the repeat with the key carries out exactly those, in order', async () => {
  const [a, b] = [await schedule(), await schedule()];
  const key = randomUUID();
  const startsAt = nextSlot(15);
  const commands = [
    { appointmentId: a, command: 'cancel', body: { reason: 'Closed' } },
    { appointmentId: b, command: 'reschedule', body: { startsAt } },
    { appointmentId: b, command: 'cancel', body: { reason: 'Closed too' } },
  ];
  const projector: Projector = ledger.app.get(PROJECTOR);
  // Each create above waited for the read models to show it; from here on they fall behind.
  await projector.stop();
  let first;
  try {
    first = await bulk(commands, key);
  } finally {
    await projector.start();
  }
  expect(first.status).toBe(200);
  // The cancel fills no calendar and goes through; the reschedule needs the calendar and is refused, and b's cancel waits behind it.
  expect(first.body.results.map((result: { status: number; error?: { code: string } }) => [result.status, result.error?.code])).toEqual([
    [200, undefined],
    [503, 'READ_MODEL_BEHIND'],
    [503, 'READ_MODEL_BEHIND'],
  ]);
  expect((await admin.get(`/appointments/${b}`)).body.version).toBe(1);
  const repeat = await eventually(async () => {
    const answer = await bulk(commands, key);
    expect(answer.body.results.map((result: { status: number }) => result.status)).toEqual([200, 200, 200]);
    return answer;
  }, 15_000);
  expect(repeat.body.results).toEqual([first.body.results[0], { appointmentId: b, status: 200, version: 2 }, { appointmentId: b, status: 200, version: 3 }]);
  expect((await admin.get(`/appointments/${b}`)).body).toMatchObject({ status: 'cancelled', startsAt });
  const cancels = (await admin.get(`/appointments/${a}/history`)).body.events.filter((event: { type: string }) => event.type === 'AppointmentCancelled');
  expect(cancels).toHaveLength(1);
  expect((await bulk(commands, key)).headers.get('idempotent-replayed')).toBe('true');
}, 60_000);

test('duplicate appointment ids in one request run in the order given, each on the state the one before left', async () => {
  const a = await schedule();
  const startsAt = nextSlot(12);
  const { status, body } = await bulk([
    { appointmentId: a, command: 'reschedule', body: { startsAt } },
    { appointmentId: a, command: 'reassign', body: { staffId: 'hugo' }, ifMatch: '"2"' },
    { appointmentId: a, command: 'cancel', body: { reason: 'First' } },
    { appointmentId: a, command: 'cancel', body: { reason: 'Second' } },
  ]);
  expect(status).toBe(200);
  expect(body.results.map((result: { status: number; version?: number }) => [result.status, result.version])).toEqual([
    [200, 2],
    [200, 3],
    [200, 4],
    [409, undefined],
  ]);
  expect((await admin.get(`/appointments/${a}`)).body).toMatchObject({ status: 'cancelled', staffId: 'hugo', startsAt, cancellationReason: 'First' });
});

test("the desk's actions run in bulk as at their own endpoints: contact answers what Cal.com will not be told, confirm refuses what is not requested", async () => {
  const a = await schedule();
  const { status, body } = await bulk([
    { appointmentId: a, command: 'contact', body: { notes: 'Prefers the window seat' } },
    { appointmentId: a, command: 'confirm' },
  ]);
  expect(status).toBe(200);
  expect(body.results).toEqual([
    { appointmentId: a, status: 200, version: 2, calcom: { notSynced: ['notes'] } },
    { appointmentId: a, status: 409, error: expect.objectContaining({ code: 'APPOINTMENT_STATUS_CONFLICT' }) },
  ]);
  expect((await admin.get(`/appointments/${a}`)).body).toMatchObject({ notes: 'Prefers the window seat', status: 'scheduled' });
});

describe('hostile bodies', () => {
  test('201 commands, none, or not a list: the whole request is 400 and nothing runs', async () => {
    const a = await schedule();
    const many = Array.from({ length: 201 }, () => ({ appointmentId: a, command: 'cancel', body: { reason: 'x' } }));
    for (const body of [{ commands: many }, { commands: [] }, { commands: {} }, { commands: 'cancel' }, [], { commands: [], extra: 1 }]) {
      const answer = await admin.post('/appointments/bulk', body);
      expect(answer.status).toBe(400);
      expect(answer.body.error.code).toBe('VALIDATION_FAILED');
    }
    expect((await admin.get(`/appointments/${a}`)).body.status).toBe('scheduled');
  });

  test('200 commands are accepted', async () => {
    const ids = await Promise.all(Array.from({ length: 4 }, () => schedule()));
    const commands = Array.from({ length: 200 }, (_, index) => ({ appointmentId: ids[index % 4], command: 'reschedule', body: { startsAt: nextSlot(8) } }));
    const { status, body } = await bulk(commands.slice(0, 200));
    expect(status).toBe(200);
    expect(body.results).toHaveLength(200);
    expect(body.results.every((result: { status: number }) => result.status === 200)).toBe(true);
  }, 120_000);

  test('an unknown, inherited or NUL command name, a bad id, a bad body: that item is 400, the others run', async () => {
    const a = await schedule();
    const b = await schedule();
    const { status, body } = await admin.post(
      '/appointments/bulk',
      `{"commands":[
        {"appointmentId":"${a}","command":"__proto__","body":{}},
        {"appointmentId":"${a}","command":"toString","body":{}},
        {"appointmentId":"${a}","command":"cancel\\u0000","body":{"reason":"x"}},
        {"appointmentId":"${a}","command":"cancel","body":{"reason":"NUL \\u0000 here"}},
        {"appointmentId":"${a}","command":"cancel","body":{"reason":"lone \\ud800"}},
        {"appointmentId":"${a}","command":"cancel","body":{"reason":"x","nested":{"deeper":{"reason":"y"}}}},
        {"appointmentId":"${a}","command":"reschedule","body":{"startsAt":"2030-02-31T10:00:00Z"}},
        {"appointmentId":"../${a}","command":"cancel","body":{"reason":"x"}},
        {"appointmentId":"${a}","command":"cancel","body":["reason"]},
        {"appointmentId":"${a}","command":"cancel","body":{"reason":"x"},"ifMatch":3},
        {"appointmentId":"${a}","command":"cancel","body":{"reason":"x"},"ifMatch":"soon"},
        {"appointmentId":"${a}","command":"cancel","body":{"reason":"x"},"extra":true},
        "cancel",
        {"appointmentId":"${b}","command":"cancel","body":{"reason":"Only this one"}}
      ]}`,
    );
    expect(status).toBe(200);
    const statuses = body.results.map((result: { status: number }) => result.status);
    expect(statuses).toEqual([...Array(13).fill(400), 200]);
    for (const result of body.results.slice(0, 13)) expect(result.error.code).toBe('VALIDATION_FAILED');
    expect(body.results[0].error.details.known).toEqual(['cancel', 'reschedule', 'reassign', 'change-service', 'confirm', 'decline', 'no-show', 'check-in', 'complete', 'contact']);
    expect(body.results[7].appointmentId).toBeNull();
    expect(body.results[12].appointmentId).toBeNull();
    expect((await admin.get(`/appointments/${a}`)).body).toMatchObject({ status: 'scheduled', version: 1 });
    expect((await admin.get(`/appointments/${b}`)).body.status).toBe('cancelled');
  });

  test('__proto__ keys, deep nesting and a bad Idempotency-Key refuse the whole request', async () => {
    const a = await schedule();
    const proto = await admin.post('/appointments/bulk', `{"commands":[{"appointmentId":"${a}","command":"cancel","body":{"reason":"x","__proto__":{"admin":true}}}]}`);
    expect(proto.status).toBe(400);
    let deep: unknown = { reason: 'x' };
    for (let level = 0; level < 40; level++) deep = { deep };
    const nested = await bulk([{ appointmentId: a, command: 'cancel', body: deep }]);
    expect(nested.status).toBe(400);
    const badKey = await bulk([{ appointmentId: a, command: 'cancel', body: { reason: 'x' } }], 'has spaces in it');
    expect(badKey.status).toBe(400);
    expect(badKey.body.error.code).toBe('VALIDATION_FAILED');
    expect((await admin.get(`/appointments/${a}`)).body.status).toBe('scheduled');
  });

  test("an auditor's bulk request is 403", async () => {
    const answer = await admin.as(AUDITOR_TOKEN).post('/appointments/bulk', { commands: [{ appointmentId: 'x', command: 'cancel', body: { reason: 'x' } }] });
    expect(answer.status).toBe(403);
  });
});
