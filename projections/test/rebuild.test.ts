import { eventually } from '#test-support/eventually';
import { Projector } from '../src/projector.js';
import { projectBatch, READ_MODELS_PROJECTION } from '../src/read-models.batch.js';
import { rebuildReadModels } from '../src/rebuild-read-models.js';
import { appendMixedHistory } from './ledger-history.js';
import { checkpointOf, openTestLedger, readModelEvents, snapshotReadModels, type TestLedger } from './read-model.fixture.js';

let ledger: TestLedger;
const silent = { log: () => undefined, error: () => undefined };

beforeEach(async () => {
  ledger = await openTestLedger();
});

afterEach(() => ledger?.close());

/** Rows the rebuild must replace: a changed field, a row no event made, a missing row. */
async function corruptReadModels(): Promise<void> {
  await ledger.readModel.query(`
    UPDATE appointments SET notes = 'corrupted';
    INSERT INTO staff (staff_id, name, email, calcom_user_id, version, updated_at) VALUES ('ghost', 'Ghost', 'g@x.test', NULL, 0, now());
    DELETE FROM services WHERE service_id = 'cut';`);
}

test('rebuild gives exactly the rows of the live projection, and the checkpoint at the head', async () => {
  const projector = new Projector(ledger.store, ledger.readModel, { batchSize: 25, logger: silent });
  await projector.start();
  const { lastPosition } = await appendMixedHistory(ledger.store, { appointments: 40, steps: 300, seed: 5 });
  await projector.waitUntilProcessed(lastPosition, 10_000);
  await projector.stop();
  const live = await snapshotReadModels(ledger.readModel);
  const { events, head } = await readModelEvents(ledger.store, lastPosition);

  await corruptReadModels();
  expect(await snapshotReadModels(ledger.readModel)).not.toEqual(live);
  const result = await rebuildReadModels(ledger.store, ledger.readModel, { batchSize: 64 });

  expect(await snapshotReadModels(ledger.readModel)).toEqual(live);
  expect(result).toEqual({ eventsApplied: events.length, position: head, parked: [] });
  expect(await checkpointOf(ledger.readModel)).toBe(head);
});

test("a rebuild in its default pages, which fold a stream's events in memory, gives the rows of the live projection", async () => {
  const projector = new Projector(ledger.store, ledger.readModel, { batchSize: 7, logger: silent });
  await projector.start();
  const { lastPosition } = await appendMixedHistory(ledger.store, { appointments: 30, steps: 400, seed: 29 });
  await projector.waitUntilProcessed(lastPosition, 10_000);
  await projector.stop();
  const live = await snapshotReadModels(ledger.readModel);
  const { events, head } = await readModelEvents(ledger.store, lastPosition);

  await corruptReadModels();
  const result = await rebuildReadModels(ledger.store, ledger.readModel);

  expect(await snapshotReadModels(ledger.readModel)).toEqual(live);
  expect(result).toEqual({ eventsApplied: events.length, position: head, parked: [] });
});

test('readers keep seeing the old rows until the rebuild commits', async () => {
  const { lastPosition } = await appendMixedHistory(ledger.store, { appointments: 10, steps: 40, seed: 9 });
  await readModelEvents(ledger.store, lastPosition);
  await rebuildReadModels(ledger.store, ledger.readModel);
  await ledger.readModel.query(`UPDATE appointments SET notes = 'old'`);
  const seenDuringRebuild: string[][] = [];

  await rebuildReadModels(ledger.store, ledger.readModel, {
    batchSize: 10,
    // Another connection from the pool, outside the rebuild's transaction.
    onProgress: async () => {
      const rows: { notes: string }[] = await ledger.readModel.query('SELECT DISTINCT notes FROM appointments');
      seenDuringRebuild.push(rows.map(({ notes }) => notes));
    },
  });
  expect(seenDuringRebuild.length).toBeGreaterThan(3);
  expect(seenDuringRebuild.every((notes) => notes.length === 1 && notes[0] === 'old')).toBe(true);
  expect(await ledger.readModel.query(`SELECT 1 FROM appointments WHERE notes = 'old'`)).toHaveLength(0);
});

test('a rebuild while the projector runs and events keep coming ends with the rows of a clean rebuild', async () => {
  const projector = new Projector(ledger.store, ledger.readModel, { batchSize: 10, logger: silent });
  await projector.start();
  const first = await appendMixedHistory(ledger.store, { appointments: 20, steps: 100, seed: 13 });
  await readModelEvents(ledger.store, first.lastPosition);

  const [more] = await Promise.all([
    appendMixedHistory(ledger.store, { appointments: 20, steps: 100, seed: 17, idPrefix: 'more' }),
    corruptReadModels().then(() => rebuildReadModels(ledger.store, ledger.readModel, { batchSize: 10 })),
  ]);
  await projector.waitUntilProcessed(more.lastPosition, 20_000);
  await projector.stop();
  const afterConcurrentRebuild = await snapshotReadModels(ledger.readModel);

  await rebuildReadModels(ledger.store, ledger.readModel);
  expect(afterConcurrentRebuild).toEqual(await snapshotReadModels(ledger.readModel));
});

test('a projector batch waits on the writer lock until a running rebuild has committed', async () => {
  const { lastPosition } = await appendMixedHistory(ledger.store, { appointments: 10, steps: 40, seed: 21 });
  const { events } = await readModelEvents(ledger.store, lastPosition);
  let batch = null as Promise<void> | null; // set in the callback below; `as` keeps TypeScript from narrowing it to null
  let batchDoneDuringRebuild = false;

  await rebuildReadModels(ledger.store, ledger.readModel, {
    batchSize: 10,
    onProgress: async () => {
      if (batch) return;
      batch = projectBatch(ledger.readModel, READ_MODELS_PROJECTION, events, events[0].position).then(() => {
        batchDoneDuringRebuild = true;
      });
      await eventually(async () => {
        const waiting = await ledger.readModel.query(`SELECT 1 FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock' AND wait_event = 'advisory'`);
        expect(waiting).toHaveLength(1);
      });
    },
  });
  expect(batchDoneDuringRebuild).toBe(false);
  expect(batch).not.toBeNull();
  await batch;
  // The late batch replayed events the rebuild had applied: no row changed, only its (older) checkpoint landed.
  const rebuilt = await snapshotReadModels(ledger.readModel);
  await rebuildReadModels(ledger.store, ledger.readModel);
  expect(await snapshotReadModels(ledger.readModel)).toEqual(rebuilt);
});
