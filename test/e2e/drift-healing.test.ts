import { defaultDriftSettings, type DriftSettings } from '../../apps/ledger/src/drift/drift.config.js';
import { startLedgerWithSandbox, type LedgerWithSandbox } from '../support/calcom-ledger.js';
import { driftScenario, hoursLater } from '../support/drift-scenario.js';
import { eventually } from '../support/eventually.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

/** Healing without a person (DRIFT_HEAL), its guard against mass changes, the schedule, incremental checks and the sync's health. */
async function startWorld(prefix: string, drift: Partial<DriftSettings>) {
  const database = await createTestDatabase(prefix);
  const world = await startLedgerWithSandbox(database.url, { drift: { ...defaultDriftSettings, intervalMs: 0, ...drift } });
  return { database, world, scenario: driftScenario(world.admin, world.sandboxUrl) };
}

describe('DRIFT_HEAL=calcom-wins with DRIFT_HEAL_MAX=3', () => {
  let database: TestDatabase;
  let world: LedgerWithSandbox;
  let scenario: ReturnType<typeof driftScenario>;

  beforeAll(async () => {
    ({ database, world, scenario } = await startWorld('drift_guard', { heal: 'calcom-wins', healMax: 3 }));
  });

  afterAll(async () => {
    await world?.ledger.close();
    await database?.drop();
  });

  it('a check that would cancel more appointments than allowed heals nothing, records why and notifies', async () => {
    const appointments = [];
    for (let i = 0; i < 5; i++) appointments.push(await scenario.synced('olivia', 'consultation'));
    for (const { uid } of appointments) await scenario.silentDelete(uid);

    const report = await scenario.check();
    expect(report.items.filter((item) => item.kind === 'missing_in_calcom')).toHaveLength(5);
    expect(report.healing).toMatchObject({ policy: 'calcom-wins', healed: [], blocked: { bookingChanges: 5, max: 3, checkId: report.checkId } });
    for (const { appointmentId } of appointments) expect((await world.admin.get(`/appointments/${appointmentId}`)).body.status).toBe('scheduled');
    const history = (await world.admin.get('/drift/history')).body;
    expect(history.heals[0]).toMatchObject({ type: 'DriftHealBlocked', data: { bookingChanges: 5, max: 3, summary: expect.stringContaining('DRIFT_HEAL_MAX=3') } });
    const notifications = await eventually(async () => {
      const { body } = await world.admin.get('/notifications?kind=drift_heal_blocked');
      expect(body.items).toHaveLength(1);
      return body.items;
    });
    expect(notifications[0]).toMatchObject({ kind: 'drift_heal_blocked', message: expect.stringContaining('would create or cancel 5'), details: { checkId: report.checkId } });

    // A person puts two back by hand (the ledger wins); the three left are within the limit and Cal.com wins them.
    for (const { appointmentId } of appointments.slice(0, 2)) {
      expect((await scenario.heal(`missing_in_calcom:${appointmentId}`, 'ledger')).status).toBe(200);
      await scenario.whenSynced(appointmentId, (body) => expect(body.calcom.bookingUids).toHaveLength(2));
    }
    const next = await scenario.check();
    expect(next.healing).toMatchObject({
      blocked: null,
      healed: expect.arrayContaining(appointments.slice(2).map(({ appointmentId }) => expect.objectContaining({ appointmentId, keep: 'calcom' }))),
    });
    for (const { appointmentId } of appointments.slice(2)) await scenario.whenSynced(appointmentId, (body) => expect(body.status).toBe('cancelled'));
    await eventually(async () => expect((await scenario.check()).items).toEqual([]), 15_000, 100);
  });

  it('GET /sync/status and /metrics show the sync and the last check at a glance', async () => {
    const status = await world.admin.get('/sync/status');
    expect(status.status).toBe(200);
    expect(status.body).toMatchObject({
      counts: { pending: expect.any(Number), synced: expect.any(Number), failed: 0, conflict: 0 },
      failuresLastHour: { calls: expect.any(Number), permanent: 0 },
      lastDriftCheck: { outcome: 'completed', driftCount: 0 },
    });
    expect(status.body.counts.synced).toBeGreaterThanOrEqual(5);
    expect(status.body.lastWebhookReceivedAt).toEqual(expect.any(String));
    const metrics = await world.admin.get('/metrics');
    expect(metrics.body).toMatch(/ledger_sync_appointments\{status="synced"\} [1-9]/);
    expect(metrics.body).toMatch(/ledger_drift_last_check_timestamp_seconds\{outcome="completed"\} \d/);
    expect(metrics.body).toMatch(/ledger_drift_items\{kind="missing_in_calcom"\} 0/);
  });
});

describe('DRIFT_HEAL=ledger-wins on a schedule (DRIFT_INTERVAL), full and incremental', () => {
  let database: TestDatabase;
  let world: LedgerWithSandbox;
  let scenario: ReturnType<typeof driftScenario>;

  beforeAll(async () => {
    ({ database, world, scenario } = await startWorld('drift_schedule', { heal: 'ledger-wins', intervalMs: 150, fullScanEvery: 2 }));
  });

  afterAll(async () => {
    await world?.ledger.close();
    await database?.drop();
  });

  it('a booking moved silently is put back without anyone asking, and the checks alternate full and incremental', async () => {
    const a = await scenario.synced('olivia', 'consultation');
    await scenario.silentEdit(a.uid, { start: hoursLater(a.startsAt, 50) });
    const back = await scenario.whenSynced(a.appointmentId, (body) => expect(body.calcom.bookingUid).not.toBe(a.uid));
    expect(Date.parse((await scenario.booking(back)).start)).toBe(Date.parse(a.startsAt));
    const history = await eventually(async () => {
      const { body } = await world.admin.get('/drift/history?limit=500');
      expect(
        body.heals.some((heal: { data: { appointmentId: string; decidedBy: string } }) => heal.data.appointmentId === a.appointmentId && heal.data.decidedBy === 'policy'),
      ).toBe(true);
      return body;
    });
    const modes = new Set(history.checks.filter((check: { trigger: string }) => check.trigger === 'schedule').map((check: { mode: string }) => check.mode));
    expect(modes).toEqual(new Set(['full', 'incremental']));
  });
});

describe('incremental checks (DRIFT_HEAL=report)', () => {
  let database: TestDatabase;
  let world: LedgerWithSandbox;
  let scenario: ReturnType<typeof driftScenario>;

  beforeAll(async () => {
    // No overlap with the previous check, so what the incremental check reads is exactly what changed after it.
    ({ database, world, scenario } = await startWorld('drift_incremental', { incrementalOverlapMs: 0 }));
  });

  afterAll(async () => {
    await world?.ledger.close();
    await database?.drop();
  });

  it('read only what Cal.com changed since the last check, and carry the rest of the report over', async () => {
    const a = await scenario.synced('olivia', 'consultation');
    const b = await scenario.synced('olivia', 'assessment');
    await scenario.silentEdit(a.uid, { start: hoursLater(a.startsAt, 30) });
    const full = await eventually(
      async () => {
        const report = await scenario.check('full');
        expect(report.items.map((item) => item.id)).toEqual([`time_mismatch:${a.appointmentId}`]);
        return report;
      },
      15_000,
      100,
    );

    await scenario.silentEdit(b.uid, { hostId: 2 });
    const incremental = await scenario.check('incremental');
    expect(incremental).toMatchObject({ mode: 'incremental', updatedSince: expect.any(String), checked: { calcom: 1, ledger: 1 } });
    expect(incremental.items.map((item) => [item.id, item.detectedAt])).toEqual([
      [`time_mismatch:${a.appointmentId}`, full.items[0].detectedAt],
      [`host_mismatch:${b.appointmentId}`, incremental.generatedAt],
    ]);
  });

  it('a check that cannot read Cal.com answers 502 CALCOM_UNAVAILABLE, is recorded as failed, and reports nothing as missing', async () => {
    const before = (await world.admin.get('/drift')).body;
    await scenario.faults({ apiErrorRate: 1 });
    try {
      const failed = await world.admin.post('/drift/check', {});
      expect(failed.status).toBe(502);
      expect(failed.body.error).toMatchObject({ code: 'CALCOM_UNAVAILABLE', details: { code: 'CALCOM_SERVER_ERROR' } });
    } finally {
      await scenario.faults({});
    }
    expect((await world.admin.get('/drift')).body).toMatchObject({ checkId: before.checkId, items: before.items });
    await eventually(async () => {
      const { body } = await world.admin.get('/sync/status');
      expect(body.lastDriftCheck).toMatchObject({ outcome: 'failed', error: { code: 'CALCOM_SERVER_ERROR' } });
    });
  });
});
