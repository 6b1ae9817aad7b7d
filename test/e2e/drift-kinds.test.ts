import { defaultDriftSettings } from '../../apps/ledger/src/drift/drift.config.js';
import { startLedgerWithSandbox, type LedgerWithSandbox } from '../support/calcom-ledger.js';
import { driftScenario, hoursLater } from '../support/drift-scenario.js';
import { eventually } from '../support/eventually.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

/**
 * Each kind of drift made on Cal.com behind the ledger's back (no webhook), found by a check with both sides' values,
 * and healed both ways through the normal sync path; at the end the report is clean.
 */
let database: TestDatabase;
let world: LedgerWithSandbox;
let scenario: ReturnType<typeof driftScenario>;

beforeAll(async () => {
  database = await createTestDatabase('drift_kinds');
  world = await startLedgerWithSandbox(database.url, { drift: { ...defaultDriftSettings, intervalMs: 0 } });
  scenario = driftScenario(world.admin, world.sandboxUrl);
});

afterAll(async () => {
  await world?.ledger.close();
  await database?.drop();
});

const appointment = async (id: string) => (await world.admin.get(`/appointments/${id}`)).body;
const apiMutations = async (uid: string) => (await scenario.state()).mutations.filter((m) => m.via === 'api' && (m.uid === uid || m.rescheduledFromUid === uid));

it('time_mismatch: a booking moved silently; Cal.com wins moves the appointment, the ledger wins moves the booking back', async () => {
  const a = await scenario.synced('olivia', 'consultation');
  const b = await scenario.synced('olivia', 'consultation');
  const movedA = hoursLater(a.startsAt, 100);
  const movedB = hoursLater(b.startsAt, 100);
  await scenario.silentEdit(a.uid, { start: movedA });
  await scenario.silentEdit(b.uid, { start: movedB });

  const [itemA] = await scenario.kindsOf(a.appointmentId, ['time_mismatch']);
  expect(itemA).toMatchObject({ id: `time_mismatch:${a.appointmentId}`, bookingUid: a.uid, ledger: { startsAt: a.startsAt }, calcom: { uid: a.uid } });
  expect(Date.parse(itemA.calcom!.start)).toBe(Date.parse(movedA));

  const before = await apiMutations(a.uid);
  expect((await scenario.heal(itemA.id, 'calcom')).status).toBe(200);
  await scenario.whenSynced(a.appointmentId, (body) => expect(body.startsAt).toBe(movedA));
  expect(await apiMutations(a.uid)).toEqual(before);

  const [itemB] = await scenario.kindsOf(b.appointmentId, ['time_mismatch']);
  expect((await scenario.heal(itemB.id, 'ledger')).status).toBe(200);
  const newUid = await scenario.whenSynced(b.appointmentId, (body) => expect(body.calcom.bookingUid).not.toBe(b.uid));
  expect(Date.parse((await scenario.booking(newUid)).start)).toBe(Date.parse(b.startsAt));
  expect((await apiMutations(b.uid)).filter((mutation) => mutation.op === 'reschedule')).toEqual([expect.objectContaining({ uid: newUid })]);
  expect((await appointment(b.appointmentId)).startsAt).toBe(b.startsAt);
  await scenario.kindsOf(a.appointmentId, []);
  await scenario.kindsOf(b.appointmentId, []);
});

it('missing_in_calcom: a booking deleted silently; the ledger wins books it again, Cal.com wins cancels the appointment', async () => {
  const a = await scenario.synced('olivia', 'consultation');
  const b = await scenario.synced('olivia', 'assessment');
  await scenario.silentDelete(a.uid);
  await scenario.silentDelete(b.uid);
  const [itemA] = await scenario.kindsOf(a.appointmentId, ['missing_in_calcom']);
  expect(itemA).toMatchObject({ ledger: { status: 'scheduled', bookingUid: a.uid }, calcom: null });

  expect((await scenario.heal(itemA.id, 'ledger')).status).toBe(200);
  const rebooked = await scenario.whenSynced(a.appointmentId, (body) => expect(body.calcom.bookingUid).not.toBe(a.uid));
  expect(await scenario.booking(rebooked)).toMatchObject({ status: 'accepted', eventTypeId: 101 });

  const [itemB] = await scenario.kindsOf(b.appointmentId, ['missing_in_calcom']);
  expect((await scenario.heal(itemB.id, 'calcom')).status).toBe(200);
  await scenario.whenSynced(b.appointmentId, (body) => expect(body.status).toBe('cancelled'));
  await scenario.kindsOf(a.appointmentId, []);
  await scenario.kindsOf(b.appointmentId, []);
});

it('status_mismatch: a cancelled appointment whose booking was brought back silently, healed both ways', async () => {
  const a = await scenario.synced('olivia', 'consultation');
  const b = await scenario.synced('olivia', 'consultation');
  for (const { appointmentId, uid } of [a, b]) {
    expect((await world.admin.post(`/appointments/${appointmentId}/cancel`, { reason: 'ill' })).status).toBe(200);
    await scenario.whenSynced(appointmentId, () => undefined);
    await eventually(async () => expect((await scenario.booking(uid)).status).toBe('cancelled'));
    await scenario.silentEdit(uid, { status: 'accepted' });
  }
  const [itemA] = await scenario.kindsOf(a.appointmentId, ['status_mismatch']);
  expect(itemA).toMatchObject({ ledger: { status: 'cancelled' }, calcom: { status: 'accepted' } });

  expect((await scenario.heal(itemA.id, 'ledger')).status).toBe(200);
  await eventually(async () => expect((await scenario.booking(a.uid)).status).toBe('cancelled'), 15_000);

  const [itemB] = await scenario.kindsOf(b.appointmentId, ['status_mismatch']);
  expect((await scenario.heal(itemB.id, 'calcom')).status).toBe(200);
  await scenario.whenSynced(b.appointmentId, (body) => expect(body.status).toBe('scheduled'));
  expect((await scenario.booking(b.uid)).status).toBe('accepted');
  await scenario.kindsOf(a.appointmentId, []);
  await scenario.kindsOf(b.appointmentId, []);
});

it('host_mismatch: a round-robin booking handed to another host silently, healed both ways', async () => {
  const a = await scenario.synced('hugo', 'team-session');
  const b = await scenario.synced('hugo', 'team-session');
  await scenario.silentEdit(a.uid, { hostId: 3 });
  await scenario.silentEdit(b.uid, { hostId: 3 });
  const [itemA] = await scenario.kindsOf(a.appointmentId, ['host_mismatch']);
  expect(itemA).toMatchObject({ ledger: { staffId: 'hugo', expectedHostUserId: 2 }, calcom: { hostUserId: 3 } });

  expect((await scenario.heal(itemA.id, 'ledger')).status).toBe(200);
  await eventually(async () => expect((await scenario.booking(a.uid)).hosts[0].id).toBe(2), 15_000);

  const [itemB] = await scenario.kindsOf(b.appointmentId, ['host_mismatch']);
  expect((await scenario.heal(itemB.id, 'calcom')).status).toBe(200);
  await scenario.whenSynced(b.appointmentId, (body) => expect(body.staffId).toBe('rita'));
  await scenario.kindsOf(a.appointmentId, []);
  await scenario.kindsOf(b.appointmentId, []);
});

it('event_type_mismatch: a booking moved to another event type silently, healed both ways', async () => {
  const a = await scenario.synced('olivia', 'consultation');
  const b = await scenario.synced('olivia', 'consultation');
  await scenario.silentEdit(a.uid, { eventTypeId: 102 });
  await scenario.silentEdit(b.uid, { eventTypeId: 102 });
  const [itemA] = await scenario.kindsOf(a.appointmentId, ['event_type_mismatch']);
  expect(itemA).toMatchObject({ ledger: { serviceId: 'consultation', expectedEventTypeId: 101 }, calcom: { eventTypeId: 102 } });

  expect((await scenario.heal(itemA.id, 'ledger')).status).toBe(200);
  const replaced = await scenario.whenSynced(a.appointmentId, (body) => expect(body.calcom.bookingUid).not.toBe(a.uid));
  expect((await scenario.booking(replaced)).eventTypeId).toBe(101);

  const [itemB] = await scenario.kindsOf(b.appointmentId, ['event_type_mismatch']);
  expect((await scenario.heal(itemB.id, 'calcom')).status).toBe(200);
  await scenario.whenSynced(b.appointmentId, (body) => expect(body.serviceId).toBe('assessment'));
  await scenario.kindsOf(a.appointmentId, []);
  await scenario.kindsOf(b.appointmentId, []);
});

it('broken_chain: the customer rescheduled and the webhook was lost; both ways the chain is mended', async () => {
  const a = await scenario.synced('olivia', 'consultation');
  const b = await scenario.synced('olivia', 'consultation');
  const movedA = await scenario.withWebhooksLost(() => scenario.customerReschedules(a.uid, hoursLater(a.startsAt, 200)));
  const movedB = await scenario.withWebhooksLost(() => scenario.customerReschedules(b.uid, hoursLater(b.startsAt, 200)));
  const [itemA] = await scenario.kindsOf(a.appointmentId, ['broken_chain']);
  expect(itemA).toMatchObject({ bookingUid: movedA.uid, ledger: { bookingUid: a.uid }, calcom: { uid: movedA.uid, path: [a.uid, movedA.uid] } });

  expect((await scenario.heal(itemA.id, 'calcom')).status).toBe(200);
  await scenario.whenSynced(a.appointmentId, (body) => {
    expect(body.calcom.bookingUids).toEqual([a.uid, movedA.uid]);
    expect(body.startsAt).toBe(hoursLater(a.startsAt, 200));
  });

  const [itemB] = await scenario.kindsOf(b.appointmentId, ['broken_chain']);
  expect((await scenario.heal(itemB.id, 'ledger')).status).toBe(200);
  const back = await scenario.whenSynced(b.appointmentId, (body) => expect(body.calcom.bookingUids.slice(0, 2)).toEqual([b.uid, movedB.uid]));
  expect(Date.parse((await scenario.booking(back)).start)).toBe(Date.parse(b.startsAt));
  await scenario.kindsOf(a.appointmentId, []);
  await scenario.kindsOf(b.appointmentId, []);
});

it('missing_in_ledger and unmapped: bookings made on Cal.com whose webhooks were lost', async () => {
  const known = await scenario.withWebhooksLost(() => scenario.customerBooks(101, scenario.nextSlot()));
  const cancelled = await scenario.withWebhooksLost(() => scenario.customerBooks(101, scenario.nextSlot()));
  const [kept] = await scenario.kindsOf(known.uid, ['missing_in_ledger']);
  expect(kept).toMatchObject({ appointmentId: null, ledger: null, calcom: { uid: known.uid, eventTypeId: 101, hostUserId: 1, attendee: { email: 'walk.in@example.com' } } });

  const adopted = await scenario.heal(kept.id, 'calcom');
  expect(adopted.body).toMatchObject({ appointmentId: `calcom-${known.uid}` });
  await scenario.whenSynced(`calcom-${known.uid}`, (body) => expect(body).toMatchObject({ staffId: 'olivia', serviceId: 'consultation', status: 'scheduled' }));
  expect((await scenario.booking(known.uid)).status).toBe('accepted');

  const [refused] = await scenario.kindsOf(cancelled.uid, ['missing_in_ledger']);
  expect((await scenario.heal(refused.id, 'ledger')).status).toBe(200);
  await eventually(async () => expect((await scenario.booking(cancelled.uid)).status).toBe('cancelled'), 15_000);

  const catalog = await scenario.getCatalog();
  await scenario.setCatalog({
    ...catalog,
    eventTypes: [...catalog.eventTypes, { id: 150, slug: 'walk-in', title: 'Walk-in', lengthInMinutes: 15, ownerId: 1, schedulingType: null }],
  });
  const walkIn = await scenario.withWebhooksLost(() => scenario.customerBooks(150, scenario.nextSlot()));
  const [unmapped] = await scenario.kindsOf(walkIn.uid, ['unmapped']);
  expect(unmapped).toMatchObject({ calcom: { eventTypeId: 150 }, ledger: null });
  const notHealable = await scenario.heal(unmapped.id, 'calcom');
  expect(notHealable.status).toBe(409);
  expect(notHealable.body.error.code).toBe('DRIFT_NOT_HEALABLE');
  await scenario.silentEdit(walkIn.uid, { status: 'cancelled' });
  await scenario.kindsOf(walkIn.uid, []);
});

it('after healing, the report is clean, and every check is on the record', async () => {
  const report = await eventually(
    async () => {
      const current = await scenario.check();
      expect(current.items).toEqual([]);
      return current;
    },
    15_000,
    100,
  );
  expect(report).toMatchObject({ outcome: 'completed', driftCount: 0, checked: { ledger: expect.any(Number), calcom: expect.any(Number) } });
  expect(report.checked.calcom).toBeGreaterThanOrEqual(report.checked.ledger);
  expect((await world.admin.get('/drift')).body.checkId).toBe(report.checkId);
  const history = (await world.admin.get('/drift/history?limit=500')).body;
  expect(history.checks[0].checkId).toBe(report.checkId);
  expect(history.checks.some((check: { driftCount: number }) => check.driftCount > 0)).toBe(true);
  expect(
    history.heals
      .filter((heal: { type: string }) => heal.type === 'DriftItemHealed')
      .map((heal: { data: { keep: string } }) => heal.data.keep)
      .sort(),
  ).toEqual([...Array(7).fill('calcom'), ...Array(7).fill('ledger')]);
});
