import { projectBatch, READ_MODELS_PROJECTION } from '../src/read-models.batch.js';
import { appendMixedHistory } from './ledger-history.js';
import { checkpointOf, installCheckpointFailureSwitch, openTestLedger, readModelEvents, snapshotReadModels, type TestLedger } from './read-model.fixture.js';

let ledger: TestLedger;

beforeAll(async () => {
  ledger = await openTestLedger();
  await installCheckpointFailureSwitch(ledger.readModel);
});

afterAll(() => ledger?.close());

test('a batch that fails at its last write leaves neither rows nor checkpoint moved; the retry applies it', async () => {
  const { lastPosition } = await appendMixedHistory(ledger.store, { appointments: 20, steps: 80, seed: 11 });
  const { events } = await readModelEvents(ledger.store, lastPosition);
  const half = Math.floor(events.length / 2);
  const first = events.slice(0, half);
  const rest = events.slice(half);
  await projectBatch(ledger.readModel, READ_MODELS_PROJECTION, first, first.at(-1)!.position);
  const before = await snapshotReadModels(ledger.readModel);

  await ledger.readModel.query(`INSERT INTO fail_checkpoint_writes VALUES ('test')`);
  await expect(projectBatch(ledger.readModel, READ_MODELS_PROJECTION, rest, rest.at(-1)!.position)).rejects.toThrow('injected checkpoint failure');
  expect(await snapshotReadModels(ledger.readModel)).toEqual(before);
  expect(await checkpointOf(ledger.readModel)).toBe(first.at(-1)!.position);

  await ledger.readModel.query('DELETE FROM fail_checkpoint_writes');
  await projectBatch(ledger.readModel, READ_MODELS_PROJECTION, rest, rest.at(-1)!.position);
  const after = await snapshotReadModels(ledger.readModel);
  expect(after).not.toEqual(before);
  expect(await checkpointOf(ledger.readModel)).toBe(rest.at(-1)!.position);

  // The same result as one clean pass over everything.
  await ledger.readModel.query('DELETE FROM appointments; DELETE FROM staff; DELETE FROM services');
  await projectBatch(ledger.readModel, READ_MODELS_PROJECTION, events, events.at(-1)!.position);
  expect(await snapshotReadModels(ledger.readModel)).toEqual(after);
});
