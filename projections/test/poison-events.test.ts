import { appointmentStream } from '#domain';
import type { ParkedEvent } from '#event-store';
import { CatalogQueries } from '../src/catalog/catalog.queries.js';
import { DriftLedgerQueries } from '../src/drift-ledger.queries.js';
import { Projector } from '../src/projector.js';
import { READ_MODELS_PROJECTION } from '../src/read-models.batch.js';
import { rebuildReadModels } from '../src/rebuild-read-models.js';
import { BackgroundWorkersRunningError, rewindToParkedEvents } from '../src/replay-parked-events.js';
import { listParkedEvents, readSubscriptionIncidents } from '../src/subscription-incidents.js';
import { eventually } from '#test-support/eventually';
import { saveService, saveStaff } from './ledger-history.js';
import { appendOne, checkpointOf, openTestLedger, readModelEvents, scheduledData, snapshotReadModels, type TestLedger } from './read-model.fixture.js';

let ledger: TestLedger;
const silent = { log: () => undefined, error: () => undefined };
const fast = { retry: { initialDelayMs: 1, maxDelayMs: 5 }, parking: { batchAttempts: 2, eventAttempts: 2 } };
const BEYOND_INTEGER = 2 ** 31;

beforeEach(async () => {
  ledger = await openTestLedger();
});
const running: Projector[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((projector) => projector.stop()));
  await ledger?.close();
});

async function startProjector(): Promise<Projector> {
  const projector = new Projector(ledger.store, ledger.readModel, { batchSize: 50, logger: silent, ...fast });
  running.push(projector);
  await projector.start();
  return projector;
}

async function notificationsOfKind(kind: string): Promise<{ notification_id: string; message: string; details: Record<string, unknown> }[]> {
  return ledger.readModel.query('SELECT notification_id, message, details FROM notifications WHERE kind = $1 ORDER BY created_at', [kind]);
}

test('every Cal.com id the domain accepts is stored and read back as the same number, live and rebuilt', async () => {
  const projector = await startProjector();
  await saveStaff(ledger.store, 'big', 'Big', 'big@salon.test', BEYOND_INTEGER);
  await saveStaff(ledger.store, 'max', 'Max', 'max@salon.test', Number.MAX_SAFE_INTEGER);
  const { position } = await saveService(ledger.store, 'cut', 30, { big: BEYOND_INTEGER, max: Number.MAX_SAFE_INTEGER });
  await projector.waitUntilProcessed(position, 10_000);

  const catalog = new CatalogQueries(ledger.readModel);
  expect((await catalog.listStaff()).map(({ staffId, calcomUserId }) => ({ staffId, calcomUserId }))).toEqual([
    { staffId: 'big', calcomUserId: BEYOND_INTEGER },
    { staffId: 'max', calcomUserId: Number.MAX_SAFE_INTEGER },
  ]);
  expect(await catalog.getService('cut')).toMatchObject({ calcomEventTypeIds: { big: BEYOND_INTEGER, max: Number.MAX_SAFE_INTEGER } });
  expect((await new DriftLedgerQueries(ledger.readModel).catalog()).staff).toEqual([
    { staffId: 'big', calcomUserId: BEYOND_INTEGER },
    { staffId: 'max', calcomUserId: Number.MAX_SAFE_INTEGER },
  ]);
  expect(projector.parked).toEqual([]);
  await projector.stop();

  const live = await snapshotReadModels(ledger.readModel);
  const rebuilt = await rebuildReadModels(ledger.store, ledger.readModel);
  expect(rebuilt.parked).toEqual([]);
  expect(await snapshotReadModels(ledger.readModel)).toEqual(live);
  expect((await catalog.getStaff('max'))?.calcomUserId).toBe(Number.MAX_SAFE_INTEGER);
});

/** An appointment scheduled with a start that is no date: what an old version or a hand edit could have left. */
function appendUnreadableAppointment(appointmentId: string) {
  return appendOne(ledger.store, appointmentStream(appointmentId), 'AppointmentScheduled', { ...scheduledData(appointmentId), startsAt: 'not a date', endsAt: 'later' }, 'admin');
}

test('an event no read model can apply is parked; the events after it are projected and waiters released', async () => {
  const projector = await startProjector();
  await appendOne(ledger.store, appointmentStream('before'), 'AppointmentScheduled', scheduledData('before'), 'admin');
  const poison = await appendUnreadableAppointment('poison');
  await appendOne(ledger.store, appointmentStream('after'), 'AppointmentScheduled', scheduledData('after'), 'admin');
  const { position: last } = await saveStaff(ledger.store, 'eve', 'Eve', 'eve@salon.test', Number.MAX_SAFE_INTEGER);

  await projector.waitUntilProcessed(poison.position, 10_000);
  await projector.waitUntilProcessed(last, 10_000);

  const rows: { appointment_id: string }[] = await ledger.readModel.query('SELECT appointment_id FROM appointments ORDER BY 1');
  expect(rows.map((row) => row.appointment_id)).toEqual(['after', 'before']);
  expect((await new CatalogQueries(ledger.readModel).getStaff('eve'))?.calcomUserId).toBe(Number.MAX_SAFE_INTEGER);
  const parked = await listParkedEvents(ledger.readModel.manager);
  expect(parked).toEqual([
    expect.objectContaining<Partial<ParkedEvent>>({
      subscription: READ_MODELS_PROJECTION,
      position: poison.position,
      streamName: 'appointment-poison',
      eventType: 'AppointmentScheduled',
      revision: 0,
      attempts: 3,
    }),
  ]);
  expect(parked[0].error).toMatch(/time|date|invalid/i);
  expect(projector.parked).toEqual(parked);
  expect(await notificationsOfKind('subscription_parked')).toEqual([
    expect.objectContaining({ details: expect.objectContaining({ subscription: READ_MODELS_PROJECTION, position: poison.position, streamName: 'appointment-poison' }) }),
  ]);
  expect((await readSubscriptionIncidents(ledger.readModel.manager)).failures).toEqual([]);
  expect(projector.isRunning()).toBe(true);
  await projector.stop();
});

test("the issue's example: a column too narrow parks the staff save; after the fix a rebuild re-applies it", async () => {
  await ledger.readModel.query('ALTER TABLE staff ALTER COLUMN calcom_user_id TYPE integer');
  const projector = await startProjector();
  const poison = await saveStaff(ledger.store, 'x', 'X', 'x@salon.test', BEYOND_INTEGER);
  const { position } = await saveStaff(ledger.store, 'y', 'Y', 'y@salon.test', 7);
  await projector.waitUntilProcessed(position, 10_000);
  expect((await listParkedEvents(ledger.readModel.manager)).map((event) => [event.position, event.streamName])).toEqual([[poison.position, 'staff-x']]);
  expect((await new CatalogQueries(ledger.readModel).getStaff('y'))?.calcomUserId).toBe(7);
  await projector.stop();

  await ledger.readModel.query('ALTER TABLE staff ALTER COLUMN calcom_user_id TYPE bigint');
  const { events, head } = await readModelEvents(ledger.store, position);
  const rebuilt = await rebuildReadModels(ledger.store, ledger.readModel);

  expect(rebuilt).toEqual({ eventsApplied: events.length, position: head, parked: [] });
  expect(await listParkedEvents(ledger.readModel.manager)).toEqual([]);
  expect(await notificationsOfKind('subscription_parked')).toEqual([]);
  expect((await new CatalogQueries(ledger.readModel).getStaff('x'))?.calcomUserId).toBe(BEYOND_INTEGER);
});

test("a rebuild parks what still fails instead of failing, and keeps the other subscriptions' parked events", async () => {
  await ledger.readModel.query(
    `INSERT INTO parked_events (subscription, position, resume_from, event_id, stream_name, event_type, revision, error, attempts, parked_at)
     VALUES ('calcom-sync', '1:1', 'start', 'e', 'staff-q', 'StaffMemberSaved', 0, 'boom', 5, now())`,
  );
  await appendOne(ledger.store, appointmentStream('a1'), 'AppointmentScheduled', scheduledData('a1'), 'admin');
  const poison = await appendUnreadableAppointment('poison');
  const { position } = await appendOne(ledger.store, appointmentStream('a2'), 'AppointmentScheduled', scheduledData('a2'), 'admin');
  const { events, head } = await readModelEvents(ledger.store, position);

  const rebuilt = await rebuildReadModels(ledger.store, ledger.readModel, { batchSize: 2 });

  expect(rebuilt.position).toBe(head);
  expect(rebuilt.eventsApplied).toBe(events.length - 1);
  expect(rebuilt.parked.map((event) => event.position)).toEqual([poison.position]);
  const rows: { appointment_id: string }[] = await ledger.readModel.query('SELECT appointment_id FROM appointments ORDER BY 1');
  expect(rows.map((row) => row.appointment_id)).toEqual(['a1', 'a2']);
  expect((await listParkedEvents(ledger.readModel.manager)).map((event) => event.subscription)).toEqual(['calcom-sync', READ_MODELS_PROJECTION]);
  expect((await notificationsOfKind('subscription_parked')).map((row) => row.details.subscription).sort()).toEqual(['calcom-sync', READ_MODELS_PROJECTION]);
});

test('a projector that cannot write at all parks nothing: it waits, reported, and catches up once it can', async () => {
  await ledger.readModel.query(`
    CREATE FUNCTION refuse_checkpoint() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'read models read-only'; END $$;
    CREATE TRIGGER refuse_checkpoint BEFORE INSERT OR UPDATE ON projection_checkpoints FOR EACH ROW EXECUTE FUNCTION refuse_checkpoint();`);
  // The outage ends during a backoff, right after the 8th failure: whatever step comes next (the event, or the
  // empty batch that checks the handler works without it) must not end in a parked event.
  let ended = null as Promise<unknown> | null; // set in the callback below; `as` keeps TypeScript from narrowing it to null
  const projector = new Projector(ledger.store, ledger.readModel, {
    logger: silent,
    retry: { initialDelayMs: 300, maxDelayMs: 300 },
    parking: { batchAttempts: 1, eventAttempts: 2 },
    onError: (_, { attempt }) => {
      if (attempt === 8) ended = ledger.readModel.query('DROP TRIGGER refuse_checkpoint ON projection_checkpoints');
    },
  });
  running.push(projector);
  await projector.start();
  const { position } = await saveStaff(ledger.store, 'z', 'Z', 'z@salon.test', 3);

  await eventually(async () => {
    const { failures } = await readSubscriptionIncidents(ledger.readModel.manager);
    expect(failures).toEqual([expect.objectContaining({ subscription: READ_MODELS_PROJECTION, phase: 'handle', error: 'read models read-only' })]);
    expect(failures[0].attempts).toBeGreaterThan(6);
  }, 15_000);
  expect(projector.parked).toEqual([]);
  expect(projector.isRunning()).toBe(false);

  await projector.waitUntilProcessed(position, 15_000);
  expect(ended).not.toBeNull();
  await ended;
  expect(await listParkedEvents(ledger.readModel.manager)).toEqual([]);
  expect((await readSubscriptionIncidents(ledger.readModel.manager)).failures).toEqual([]);
  expect((await new CatalogQueries(ledger.readModel).getStaff('z'))?.calcomUserId).toBe(3);
});

describe('replaying the parked events of a background subscription', () => {
  async function park(subscription: string, position: string, resumeFrom: string) {
    await ledger.readModel.query(
      `INSERT INTO parked_events (subscription, position, resume_from, event_id, stream_name, event_type, revision, error, attempts, parked_at)
       VALUES ($1, $2, $3, 'e', 'calcomwebhook-x', 'CalcomWebhookReceived', 0, 'boom', 5, now())`,
      [subscription, position, resumeFrom],
    );
  }

  test('rewinds its checkpoint to just before the earliest parked event and empties its list, leaving the others', async () => {
    await ledger.readModel.query(`INSERT INTO projection_checkpoints VALUES ('calcom-webhook-translator', '900:1', now())`);
    await park('calcom-webhook-translator', '100:2', '99:7');
    await park('calcom-webhook-translator', '20:1', '10:3');
    await park('calcom-sync', '5:1', 'start');

    const plan = await rewindToParkedEvents(ledger.store, ledger.readModel, 'calcom-webhook-translator');

    expect(plan).toEqual({ subscription: 'calcom-webhook-translator', resumeFrom: '10:3', events: 2 });
    expect(await checkpointOf(ledger.readModel, 'calcom-webhook-translator')).toBe('10:3');
    expect((await listParkedEvents(ledger.readModel.manager)).map((event) => event.subscription)).toEqual(['calcom-sync']);
    expect(await rewindToParkedEvents(ledger.store, ledger.readModel, 'calcom-webhook-translator')).toEqual({
      subscription: 'calcom-webhook-translator',
      resumeFrom: null,
      events: 0,
    });
  });

  test('refuses while an instance runs the background workers, and for the read models', async () => {
    await park('calcom-sync', '5:1', 'start');
    const leader = ledger.readModel.createQueryRunner();
    await leader.connect();
    try {
      await leader.query(`SELECT pg_advisory_lock(hashtextextended('ledger:background-workers', 0))`);
      await expect(rewindToParkedEvents(ledger.store, ledger.readModel, 'calcom-sync')).rejects.toBeInstanceOf(BackgroundWorkersRunningError);
    } finally {
      await leader.query(`SELECT pg_advisory_unlock_all()`);
      await leader.release();
    }
    await expect(rewindToParkedEvents(ledger.store, ledger.readModel, READ_MODELS_PROJECTION)).rejects.toThrow(/projections:rebuild/);
    expect(await listParkedEvents(ledger.readModel.manager)).toHaveLength(1);
  });
});
