import { appointmentStream } from '#domain';
import { WaitUntilProcessedTimeoutError } from '#event-store';
import { AppointmentsQueries } from '../src/appointments/appointments.queries.js';
import { CatalogQueries } from '../src/catalog/catalog.queries.js';
import { Projector, type ProjectorOptions } from '../src/projector.js';
import { eventually } from '#test-support/eventually';
import { appendMixedHistory, newEvent, saveStaff } from './ledger-history.js';
import { appointmentFromStream, checkpointOf, installCheckpointFailureSwitch, openTestLedger, readModelEvents, snapshotReadModels, type TestLedger } from './read-model.fixture.js';

let ledger: TestLedger;
let appointmentIds: string[];
let lastPosition: string;
const running: Projector[] = [];
const silent = { log: () => undefined, error: () => undefined };

async function startProjector(options: ProjectorOptions = {}): Promise<Projector> {
  const projector = new Projector(ledger.store, ledger.readModel, {
    logger: silent,
    retry: { initialDelayMs: 10, maxDelayMs: 50 },
    ...options,
  });
  running.push(projector);
  await projector.start();
  return projector;
}

beforeAll(async () => {
  ledger = await openTestLedger();
});

afterEach(async () => {
  await Promise.all(running.splice(0).map((projector) => projector.stop()));
});

afterAll(() => ledger?.close());

test('follows the history while it is being appended; waitUntilProcessed gives read-your-writes', async () => {
  const projector = await startProjector({ batchSize: 25 });
  ({ appointmentIds, lastPosition } = await appendMixedHistory(ledger.store, { appointments: 30, steps: 200, seed: 3 }));
  await projector.waitUntilProcessed(lastPosition, 10_000);

  const queries = new AppointmentsQueries(ledger.readModel);
  for (const appointmentId of appointmentIds) {
    expect(await queries.get(appointmentId)).toEqual(await appointmentFromStream(ledger.store, appointmentId));
  }
  const { position } = await saveStaff(ledger.store, 'dora', 'Dora', 'dora@salon.test', null);
  await projector.waitUntilProcessed(position, 5_000);
  expect(await new CatalogQueries(ledger.readModel).getStaff('dora')).toMatchObject({ name: 'Dora' });
  expect(projector.isRunning()).toBe(true);
  expect(ledger.store.comparePositions(projector.position, position)).toBeGreaterThanOrEqual(0);
});

test('restarting from a reset checkpoint replays everything and changes no row', async () => {
  const before = await snapshotReadModels(ledger.readModel);
  expect(before.appointments.length).toBe(appointmentIds.length);
  await ledger.readModel.query('DELETE FROM projection_checkpoints');

  const projector = await startProjector({ batchSize: 7 });
  const { head } = await readModelEvents(ledger.store, lastPosition);
  await projector.waitUntilProcessed(head, 10_000);
  expect(await snapshotReadModels(ledger.readModel)).toEqual(before);
  expect(await checkpointOf(ledger.readModel)).toBe(projector.position);
});

describe('when a batch keeps failing', () => {
  beforeAll(async () => {
    await installCheckpointFailureSwitch(ledger.readModel);
  });

  test('it is retried, never skipped: rows and checkpoint wait, health says so, then it catches up', async () => {
    const projector = await startProjector();
    await projector.waitUntilProcessed(lastPosition, 10_000);
    const checkpoint = await checkpointOf(ledger.readModel);
    await ledger.readModel.query(`INSERT INTO fail_checkpoint_writes VALUES ('test')`);

    // The failing batch continues a stream the projector has a row for: its fold must not be remembered.
    const queries = new AppointmentsQueries(ledger.readModel);
    const { items } = await queries.list({ status: 'scheduled', limit: 1 });
    const cancelled = { appointmentId: items[0].appointmentId, reason: 'during the outage' };
    await ledger.store.appendToStream(appointmentStream(cancelled.appointmentId), [newEvent('AppointmentCancelled', cancelled)]);
    const { position } = await saveStaff(ledger.store, 'eve', 'Eve', 'eve@salon.test', 7);
    await eventually(() => expect(projector.currentFailure).toMatchObject({ phase: 'handle', error: 'injected checkpoint failure' }));
    expect(projector.isRunning()).toBe(false);
    await expect(projector.waitUntilProcessed(position, 100)).rejects.toBeInstanceOf(WaitUntilProcessedTimeoutError);
    const catalog = new CatalogQueries(ledger.readModel);
    expect(await catalog.getStaff('eve')).toBeNull();
    expect(await queries.get(cancelled.appointmentId)).toMatchObject({ status: 'scheduled', version: items[0].version });
    expect(await checkpointOf(ledger.readModel)).toBe(checkpoint);

    await ledger.readModel.query('DELETE FROM fail_checkpoint_writes');
    await projector.waitUntilProcessed(position, 5_000);
    expect(await catalog.getStaff('eve')).toMatchObject({ name: 'Eve', calcomUserId: 7 });
    expect(await queries.get(cancelled.appointmentId)).toMatchObject({
      status: 'cancelled',
      cancellationReason: 'during the outage',
      version: items[0].version + 1,
    });
    expect(await checkpointOf(ledger.readModel)).toBe(projector.position);
    expect(projector.isRunning()).toBe(true);
  });
});
