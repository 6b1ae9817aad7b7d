import { randomUUID } from 'node:crypto';
import { startSandbox, type RunningSandbox, type SandboxCatalog } from '#calcom-sandbox';
import type { RunningLedger } from '../../apps/ledger/src/ledger.js';
import { calcomSettingsFor, SandboxLevers, WEBHOOK_SECRET } from '../support/calcom-sync-harness.js';
import { eventually } from '../support/eventually.js';
import { LedgerClient } from '../support/ledger-client.js';
import { ADMIN_TOKEN, AUDITOR_TOKEN, startTestLedger } from '../support/ledger-for-tests.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

/**
 * A stylist calls in sick: their appointments go to free colleagues (free in the ledger, not absent, and offered the
 * slot by Cal.com, here the sandbox over real HTTP) or are cancelled; the dry run is what is carried out; a calendar
 * that changed in between is a 409 with the differences; a repeat acts no more; two absences never share a slot.
 */
const NAMES = ['sam', 'ann', 'ben', 'cat', 'dan', 'eve', 'fay'];
const userId = (staffId: string) => NAMES.indexOf(staffId) + 1;
const catalog: SandboxCatalog = {
  users: NAMES.map((name, index) => ({ id: index + 1, name, email: `${name}@sandbox.example`, username: name, timeZone: 'UTC' })),
  eventTypes: [
    // "colour" with sam, ann, ben and cat; "cut" with dan, eve and fay: each a personal event type of 30 minutes.
    ...['sam', 'ann', 'ben', 'cat'].map((name) => ({
      id: 310 + userId(name),
      slug: `colour-${name}`,
      title: 'Colour',
      lengthInMinutes: 30,
      ownerId: userId(name),
      schedulingType: null,
    })),
    ...['dan', 'eve', 'fay'].map((name) => ({ id: 300 + userId(name), slug: `cut-${name}`, title: 'Cut', lengthInMinutes: 30, ownerId: userId(name), schedulingType: null })),
  ],
};

let database: TestDatabase;
let sandbox: RunningSandbox;
let levers: SandboxLevers;
let ledger: RunningLedger;
let admin: LedgerClient;

beforeAll(async () => {
  database = await createTestDatabase('staff_absences');
  sandbox = await startSandbox({ port: 0, catalog, webhookSecret: WEBHOOK_SECRET });
  levers = new SandboxLevers(sandbox);
  ledger = await startTestLedger(database.url, { calcom: calcomSettingsFor(sandbox), calcomWebhookSecret: WEBHOOK_SECRET });
  sandbox.setWebhookUrl(`${ledger.url}/webhooks/calcom`);
  admin = new LedgerClient(ledger.url, ADMIN_TOKEN);
  for (const name of NAMES) expect((await admin.put(`/staff/${name}`, { name, email: `${name}@salon.example`, calcomUserId: userId(name) })).status).toBe(200);
  const colour = Object.fromEntries(['sam', 'ann', 'ben', 'cat'].map((name) => [name, 310 + userId(name)]));
  const cut = Object.fromEntries(['dan', 'eve', 'fay'].map((name) => [name, 300 + userId(name)]));
  expect((await admin.put('/services/colour', { name: 'Colour', durationMinutes: 30, calcomEventTypeIds: colour })).status).toBe(200);
  expect((await admin.put('/services/cut', { name: 'Cut', durationMinutes: 30, calcomEventTypeIds: cut })).status).toBe(200);
});

afterAll(async () => {
  await ledger?.close();
  await sandbox?.close();
  await database?.drop();
});

/** A day far enough ahead, at hour:minute UTC. */
const on = (daysAhead: number, hour: number, minute = 0): string => {
  const date = new Date();
  date.setUTCDate(date.getUTCDate() + daysAhead);
  date.setUTCHours(hour, minute, 0, 0);
  return date.toISOString();
};

async function schedule(staffId: string, serviceId: string, startsAt: string): Promise<string> {
  const appointmentId = randomUUID();
  const customer = { name: 'Ada Lovelace', email: `ada-${appointmentId.slice(0, 8)}@example.com`, timeZone: 'Europe/London' };
  const created = await admin.post('/appointments', { appointmentId, serviceId, staffId, startsAt, customer });
  expect(created.status).toBe(201);
  return appointmentId;
}

const settled = (appointmentId: string) =>
  eventually(async () => {
    const { body } = await admin.get(`/appointments/${appointmentId}`);
    expect(body.calcom.syncStatus).toBe('synced');
    return body;
  }, 30_000);

const isLive = (booking: { status: string }) => booking.status.toLowerCase() === 'accepted';

const decisions = (steps: Array<Record<string, unknown>>) => steps.map(({ appointmentId, action, toStaffId, version }) => ({ appointmentId, action, toStaffId, version }));

/** No staff member holds two active appointments at once, in the ledger and among the sandbox's accepted bookings. */
async function expectNoDoubleBooking(from: string, to: string) {
  const { body } = await admin.get(`/appointments?from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}&limit=200`);
  const active = body.items.filter((item: { status: string }) => item.status !== 'cancelled');
  for (const a of active) {
    for (const b of active) {
      if (a.appointmentId < b.appointmentId && a.staffId === b.staffId) expect(a.startsAt >= b.endsAt || b.startsAt >= a.endsAt).toBe(true);
    }
  }
  const accepted = (await levers.state()).bookings.filter(isLive);
  for (const a of accepted) {
    for (const b of accepted) {
      if (a.uid < b.uid && a.hosts[0]?.id === b.hosts[0]?.id) expect(a.start < (b as { end?: string }).end! && b.start < (a as { end?: string }).end!).toBe(false);
    }
  }
}

test('the sick day: twelve appointments, colleagues busy in the ledger, in Cal.com or absent; dry run = what is carried out, a changed calendar is 409 with the differences, a repeat acts no more', async () => {
  const D = 30;
  // Ann is busy in the ledger 09:00-11:00 and 14:00-15:00; Ben's Cal.com calendar is busy 09:00-12:00 and 14:00-15:00;
  // Cat is absent 12:00-15:00.
  const annOwn = [];
  for (const [hour, minute] of [
    [9, 0],
    [9, 30],
    [10, 0],
    [10, 30],
    [14, 0],
    [14, 30],
  ])
    annOwn.push(await schedule('ann', 'colour', on(D, hour, minute)));
  await fetch(`${sandbox.url}/_sandbox/busy`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify([
      { userId: userId('ben'), start: on(D, 9), end: on(D, 12) },
      { userId: userId('ben'), start: on(D, 14), end: on(D, 15) },
    ]),
  });
  const catAbsence = { from: on(D, 12), to: on(D, 15), reason: 'Training', plan: 'cancel' };
  const catPlan = await admin.post('/staff/cat/absences?dryRun=true', catAbsence);
  expect(catPlan.status).toBe(200);
  expect(catPlan.body.steps).toEqual([]);
  expect((await admin.post('/staff/cat/absences', { ...catAbsence, planFingerprint: catPlan.body.planFingerprint })).status).toBe(201);

  const sams: string[] = [];
  for (let slot = 0; slot < 12; slot++) sams.push(await schedule('sam', 'colour', on(D, 9 + Math.floor(slot / 2), (slot % 2) * 30)));
  await Promise.all([...sams, ...annOwn].map(settled));

  const sick = { absenceId: `sam-sick-${randomUUID().slice(0, 8)}`, from: on(D, 8), to: on(D, 18), reason: 'Flu', plan: 'reassign' };
  const dryRun = await admin.post('/staff/sam/absences?dryRun=true', sick);
  expect(dryRun.status).toBe(200);
  const expected = [...Array(4).fill('cat'), ...Array(6).fill('ann'), null, null];
  expect(dryRun.body.steps.map((step: { appointmentId: string }) => step.appointmentId)).toEqual(sams);
  expect(dryRun.body.steps.map((step: { toStaffId: string | null }) => step.toStaffId)).toEqual(expected);
  expect(dryRun.body.steps[11].why).toMatch(/ann: busy with .*ben: Cal.com has no slot .*cat: absent/);
  expect(dryRun.body.steps[0].why).toMatch(/cat offers the service, is free then in the ledger, and Cal.com offers the slot/);
  // A dry run changes nothing.
  expect((await admin.get(`/appointments/${sams[0]}`)).body).toMatchObject({ staffId: 'sam', version: 1 });

  // Ann gets a new client at 11:00 before the plan is carried out: the plan no longer holds.
  const annNew = await schedule('ann', 'colour', on(D, 11));
  const stale = await admin.post('/staff/sam/absences', { ...sick, planFingerprint: dryRun.body.planFingerprint });
  expect(stale.status).toBe(409);
  expect(stale.body.error.code).toBe('ABSENCE_PLAN_CHANGED');
  expect(
    stale.body.error.details.differences.map((d: { appointmentId: string; planned: { toStaffId: string }; now: { toStaffId: string } }) => [
      d.appointmentId,
      d.planned.toStaffId,
      d.now.toStaffId,
    ]),
  ).toEqual([[sams[4], 'ann', 'cat']]);
  expect((await admin.get(`/appointments/${sams[0]}`)).body).toMatchObject({ staffId: 'sam', version: 1 });
  expect((await admin.get('/staff/sam/absences')).body.items).toEqual([]);

  const again = await admin.post('/staff/sam/absences?dryRun=true', sick);
  expect(again.body.planFingerprint).toBe(stale.body.error.details.planFingerprint);
  const run = await admin.post('/staff/sam/absences', { ...sick, planFingerprint: again.body.planFingerprint });
  expect(run.status).toBe(201);
  expect(decisions(run.body.steps)).toEqual(decisions(again.body.steps));
  expect(run.body.steps.map((step: { outcome: { status: number } }) => step.outcome.status)).toEqual(Array(12).fill(200));

  // In the ledger: each appointment where the plan said, and its history points to the absence.
  for (const step of run.body.steps) {
    const { body } = await admin.get(`/appointments/${step.appointmentId}`);
    if (step.action === 'reassign') expect(body).toMatchObject({ staffId: step.toStaffId, status: 'scheduled' });
    else expect(body.status).toBe('cancelled');
    const events = (await admin.get(`/appointments/${step.appointmentId}/history`)).body.events;
    const change = events.find((event: { type: string }) => event.type === (step.action === 'reassign' ? 'StaffReassigned' : 'AppointmentCancelled'));
    expect(change.metadata).toMatchObject({
      absence: { absenceId: sick.absenceId, staffId: 'sam' },
      reason: expect.stringContaining('Flu'),
      causationId: expect.stringMatching(/^[0-9a-f-]{36}$/),
    });
  }
  // In Cal.com: every appointment synced, reassigned ones booked with their colleague, cancelled ones cancelled.
  const state = await eventually(async () => {
    const now = await levers.state();
    for (const step of run.body.steps) {
      const live = now.bookings.filter((booking) => booking.metadata?.appointmentId === step.appointmentId && isLive(booking));
      expect(live.map((booking) => booking.hosts[0].id)).toEqual(step.action === 'reassign' ? [userId(step.toStaffId)] : []);
    }
    return now;
  }, 30_000);
  await Promise.all(sams.map(settled));
  await expectNoDoubleBooking(on(D, 0), on(D + 1, 0));
  expect(annNew).toBeTruthy();

  // A repeat of the real call (same absence id) answers the same and moves nothing.
  const mutations = state.mutations.length;
  const repeat = await admin.post('/staff/sam/absences', { ...sick, planFingerprint: again.body.planFingerprint });
  expect(repeat.status).toBe(201);
  expect(repeat.headers.get('idempotent-replayed')).toBe('true');
  expect(repeat.body).toEqual(run.body);
  expect((await levers.state()).mutations.length).toBe(mutations);

  // The absence is recorded: nothing new lands inside it, before or after it is fine.
  const listed = (await admin.get('/staff/sam/absences')).body.items;
  expect(listed).toEqual([expect.objectContaining({ absenceId: sick.absenceId, from: sick.from, to: sick.to, cancelled: false })]);
  const customer = { name: 'Bo', email: 'bo@example.com', timeZone: 'UTC' };
  const inside = await admin.post('/appointments', { serviceId: 'colour', staffId: 'sam', startsAt: on(D, 16), customer, force: true });
  expect(inside.status).toBe(409);
  expect(inside.body.error).toMatchObject({ code: 'STAFF_ABSENT', details: { staffId: 'sam', absenceId: sick.absenceId } });
  const movedIn = await admin.post(`/appointments/${annOwn[0]}/reassign`, { staffId: 'sam', force: true });
  expect(movedIn.status).toBe(409);
  expect(movedIn.body.error.code).toBe('STAFF_ABSENT');
  expect((await admin.post('/appointments', { serviceId: 'colour', staffId: 'sam', startsAt: on(D, 18), customer, force: true })).status).toBe(201);

  // Cancelling the absence lets bookings in again.
  const cancelled = await admin.post(`/staff/sam/absences/${sick.absenceId}/cancel`, { reason: 'Felt better' });
  expect(cancelled.status).toBe(200);
  expect(cancelled.body).toMatchObject({ absenceId: sick.absenceId, cancelled: true });
  expect((await admin.post('/appointments', { serviceId: 'colour', staffId: 'sam', startsAt: on(D, 16), customer, force: true })).status).toBe(201);
}, 180_000);

test('two staff off sick at once never both get the one free colleague slot: the second run finds its plan changed', async () => {
  const D = 31;
  const danAt10 = await schedule('dan', 'cut', on(D, 10));
  const eveAt10 = await schedule('eve', 'cut', on(D, 10));
  const body = (staff: string) => ({ absenceId: `${staff}-off-${randomUUID().slice(0, 8)}`, from: on(D, 8), to: on(D, 18), reason: 'Sick', plan: 'reassign', reassignTo: ['fay'] });
  const [dan, eve] = [body('dan'), body('eve')];
  const [danPlan, evePlan] = await Promise.all([admin.post('/staff/dan/absences?dryRun=true', dan), admin.post('/staff/eve/absences?dryRun=true', eve)]);
  expect(danPlan.body.steps.map((step: { toStaffId: string }) => step.toStaffId)).toEqual(['fay']);
  expect(evePlan.body.steps.map((step: { toStaffId: string }) => step.toStaffId)).toEqual(['fay']);
  const runs = await Promise.all([
    admin.post('/staff/dan/absences', { ...dan, planFingerprint: danPlan.body.planFingerprint }),
    admin.post('/staff/eve/absences', { ...eve, planFingerprint: evePlan.body.planFingerprint }),
  ]);
  expect(runs.map((run) => run.status).sort()).toEqual([201, 409]);
  const refused = runs.find((run) => run.status === 409)!;
  expect(refused.body.error.code).toBe('ABSENCE_PLAN_CHANGED');
  const [difference] = refused.body.error.details.differences;
  expect(difference).toMatchObject({ planned: { toStaffId: 'fay' }, now: { action: 'cancel' } });
  expect(difference.now.why).toMatch(/fay: busy with /);
  const fay = (await admin.get(`/appointments?staffId=fay&from=${encodeURIComponent(on(D, 0))}&to=${encodeURIComponent(on(D + 1, 0))}`)).body.items;
  expect(fay.map((item: { appointmentId: string }) => item.appointmentId)).toHaveLength(1);
  expect([danAt10, eveAt10]).toContain(fay[0].appointmentId);
  await Promise.all([danAt10, eveAt10].map(settled));
  await expectNoDoubleBooking(on(D, 0), on(D + 1, 0));
}, 120_000);

test('the same Idempotency-Key names the absence: a repeat answers the same, another body is 422', async () => {
  const D = 32;
  const appointment = await schedule('eve', 'cut', on(D, 9));
  const body = { from: on(D, 8), to: on(D, 12), reason: 'Dentist', plan: 'cancel' };
  const plan = await admin.post('/staff/eve/absences?dryRun=true', body);
  expect(plan.body.steps).toEqual([expect.objectContaining({ appointmentId: appointment, action: 'cancel', toStaffId: null })]);
  const key = randomUUID();
  const first = await admin.post('/staff/eve/absences', { ...body, planFingerprint: plan.body.planFingerprint }, { 'Idempotency-Key': key });
  expect(first.status).toBe(201);
  expect(first.body.absenceId).toMatch(/^absence-[0-9a-f]{40}$/);
  const repeat = await admin.post('/staff/eve/absences', { ...body, planFingerprint: plan.body.planFingerprint }, { 'Idempotency-Key': key });
  expect(repeat.body).toEqual(first.body);
  const other = await admin.post('/staff/eve/absences', { ...body, reason: 'Something else', planFingerprint: plan.body.planFingerprint }, { 'Idempotency-Key': key });
  expect(other.status).toBe(422);
  expect(other.body.error.code).toBe('IDEMPOTENCY_KEY_REUSED');
  const events = (await admin.get(`/appointments/${appointment}/history`)).body.events.filter((event: { type: string }) => event.type === 'AppointmentCancelled');
  expect(events).toHaveLength(1);
});

describe('hostile input', () => {
  const good = () => ({ from: on(33, 8), to: on(33, 12), reason: 'Sick', plan: 'reassign' });

  test.each([
    ['a NUL in the reason', { reason: 'Si\u0000ck' }],
    ['a lone surrogate in the reason', { reason: 'Sick \ud800' }],
    ['an end before the start', { to: on(33, 7) }],
    ['no offset', { from: '2030-05-01T08:00:00' }],
    ['31 February', { from: '2031-02-31T08:00:00Z' }],
    ['an unknown plan', { plan: 'delete' }],
    ['duplicate colleagues', { reassignTo: ['fay', 'fay'] }],
    ['an impossible colleague id', { reassignTo: ['__proto__'] }],
    ['51 colleagues', { reassignTo: Array.from({ length: 51 }, (_, index) => `s${index}`) }],
    ['a nested unknown field', { extra: { deeper: true } }],
    ['a fingerprint that is not one', { planFingerprint: 'x'.repeat(64) }],
  ])('%s is 400 VALIDATION_FAILED', async (_what, change) => {
    const answer = await admin.post('/staff/fay/absences?dryRun=true', { ...good(), ...change });
    expect(answer.status).toBe(400);
    expect(answer.body.error.code).toBe('VALIDATION_FAILED');
  });

  test('a __proto__ key is refused, an impossible or unknown staff id is 404, dryRun must be true or false, the real call needs a plan', async () => {
    expect((await admin.post('/staff/fay/absences?dryRun=true', `{"from":"${on(33, 8)}","to":"${on(33, 9)}","reason":"x","plan":"cancel","__proto__":{"x":1}}`)).status).toBe(400);
    expect((await admin.post('/staff/__proto__/absences?dryRun=true', good())).status).toBe(404);
    expect((await admin.post('/staff/nobody/absences?dryRun=true', good())).status).toBe(404);
    expect((await admin.get('/staff/nobody/absences')).status).toBe(404);
    expect((await admin.post('/staff/fay/absences?dryRun=maybe', good())).status).toBe(400);
    expect((await admin.post('/staff/fay/absences?dryRun=true', { ...good(), reassignTo: ['nobody'] })).status).toBe(404);
    const noPlan = await admin.post('/staff/fay/absences', good());
    expect(noPlan.status).toBe(400);
    expect(noPlan.body.error.details.field).toBe('planFingerprint');
    const unknownPlan = await admin.post('/staff/fay/absences', { ...good(), planFingerprint: 'a'.repeat(64) });
    expect(unknownPlan.status).toBe(409);
    expect(unknownPlan.body.error.code).toBe('ABSENCE_PLAN_CHANGED');
    expect((await admin.get('/staff/fay/absences')).body.items).toEqual([]);
    expect((await admin.post('/staff/fay/absences/none/cancel', {})).status).toBe(404);
  });

  test('an auditor may list absences but not record one', async () => {
    const auditor = admin.as(AUDITOR_TOKEN);
    expect((await auditor.get('/staff/fay/absences')).status).toBe(200);
    expect((await auditor.post('/staff/fay/absences?dryRun=true', good())).status).toBe(403);
  });
});

test('OpenAPI lists the bulk and absence endpoints', async () => {
  const docs = await admin.as(undefined).get('/docs/openapi.json');
  expect(docs.status).toBe(200);
  expect(Object.keys(docs.body.paths)).toEqual(expect.arrayContaining(['/appointments/bulk', '/staff/{staffId}/absences', '/staff/{staffId}/absences/{absenceId}/cancel']));
});
