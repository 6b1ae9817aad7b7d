import { latestSaved, type ServiceSaved, type StaffMemberSaved, serviceStream, staffStream, versionAfter } from '#domain';
import type { RecordedEvent } from '#event-store';
import { AppointmentsQueries } from '../src/appointments/appointments.queries.js';
import { CatalogQueries } from '../src/catalog/catalog.queries.js';
import { projectBatch, READ_MODELS_PROJECTION } from '../src/read-models.batch.js';
import { appendMixedHistory, serviceIds, staffIds, UNKNOWN_APPOINTMENT_EVENT } from './ledger-history.js';
import { appointmentFromStream, checkpointOf, openTestLedger, projectInBatches, readModelEvents, snapshotReadModels, type TestLedger } from './read-model.fixture.js';

let ledger: TestLedger;
let appointmentIds: string[];
let events: RecordedEvent[];
let head: string;

beforeAll(async () => {
  ledger = await openTestLedger();
  let lastPosition: string;
  ({ appointmentIds, lastPosition } = await appendMixedHistory(ledger.store, { appointments: 40, steps: 300, seed: 7 }));
  ({ events, head } = await readModelEvents(ledger.store, lastPosition));
  // Small, uneven batches, so streams are continued across batches and rows are loaded back.
  await projectInBatches(ledger.readModel, events, 37);
});

afterAll(() => ledger?.close());

test('the history really is mixed: every event type, spread over many batches', () => {
  const types = new Set(events.map(({ type }) => type));
  expect([...types].sort()).toEqual(
    [
      'AppointmentCancelled',
      'AppointmentRescheduled',
      'AppointmentScheduled',
      UNKNOWN_APPOINTMENT_EVENT,
      'ServiceChanged',
      'ServiceSaved',
      'StaffMemberSaved',
      'StaffReassigned',
    ].sort(),
  );
  expect(events.length).toBeGreaterThan(250);
});

test('every appointment row is what the domain fold of its stream says, version and times included', async () => {
  const queries = new AppointmentsQueries(ledger.readModel);
  for (const appointmentId of appointmentIds) {
    expect(await queries.get(appointmentId)).toEqual(await appointmentFromStream(ledger.store, appointmentId));
  }
  expect((await queries.list({ limit: 200 })).items).toHaveLength(appointmentIds.length);
});

test('an event type the projection does not know still moves the version (the ETag) and nothing else', async () => {
  const unknown = events.filter(({ type }) => type === UNKNOWN_APPOINTMENT_EVENT);
  expect(unknown.length).toBeGreaterThan(0);
  const queries = new AppointmentsQueries(ledger.readModel);
  const streamsEndingUnknown = unknown.filter((event) => !events.some((later) => later.streamName === event.streamName && later.revision > event.revision));
  expect(streamsEndingUnknown.length).toBeGreaterThan(0);
  for (const { data, revision, recordedAt } of streamsEndingUnknown) {
    const row = await queries.get((data as { appointmentId: string }).appointmentId);
    expect(row).toMatchObject({ version: versionAfter(revision), updatedAt: recordedAt });
  }
});

test('staff and services hold their latest save', async () => {
  const catalog = new CatalogQueries(ledger.readModel);
  for (const staffId of staffIds) {
    const stream = await ledger.store.readStream<StaffMemberSaved>(staffStream(staffId));
    const saved = latestSaved(stream)!;
    expect(await catalog.getStaff(staffId)).toEqual({ ...saved, version: stream.length });
  }
  for (const serviceId of serviceIds) {
    const stream = await ledger.store.readStream<ServiceSaved>(serviceStream(serviceId));
    const saved = latestSaved(stream)!;
    expect(await catalog.getService(serviceId)).toEqual({ ...saved, version: stream.length });
  }
  expect((await catalog.listStaff()).map(({ staffId }) => staffId)).toEqual([...staffIds].sort());
  expect(await catalog.getStaff('nobody')).toBeNull();
});

test('the checkpoint is the position of the last batch', async () => {
  expect(await checkpointOf(ledger.readModel)).toBe(events.at(-1)!.position);
  expect(ledger.store.comparePositions(events.at(-1)!.position, head)).toBeLessThanOrEqual(0);
});

test('replaying any part of the history, in any batching, changes no row', async () => {
  const before = await snapshotReadModels(ledger.readModel);
  // Earlier events alone would put rows back to older states if the version guard were missing.
  await projectBatch(ledger.readModel, READ_MODELS_PROJECTION, events.slice(0, Math.floor(events.length / 2)), events[0].position);
  expect(await snapshotReadModels(ledger.readModel)).toEqual(before);
  await projectInBatches(ledger.readModel, events, 1000);
  await projectInBatches(ledger.readModel, events, 1);
  expect(await snapshotReadModels(ledger.readModel)).toEqual(before);
});

test('a batch that starts with events already applied and goes on with new ones ends where a clean run does', async () => {
  const before = await snapshotReadModels(ledger.readModel);
  await ledger.readModel.query('DELETE FROM appointments; DELETE FROM staff; DELETE FROM services');
  const half = Math.floor(events.length / 2);
  await projectInBatches(ledger.readModel, events.slice(0, half), 37);
  // Overlapping batches: each stream's row is loaded at a version somewhere inside the batch.
  await projectInBatches(ledger.readModel, events.slice(Math.floor(half / 2)), 53);
  expect(await snapshotReadModels(ledger.readModel)).toEqual(before);
});
