import { randomUUID } from 'node:crypto';
import { appointmentStream, type BookingCopy, type CalcomSyncEvent, calcomSyncStream, evolveCalcomSync, initialCalcomSyncState, syncStatusOf } from '#domain';
import type { EventSource, RecordedEvent } from '#event-store';
import { bookingCopy } from '../../libs/domain/test/support/calcom-sync-fixtures.js';
import { AppointmentsQueries } from '../src/appointments/appointments.queries.js';
import { CalcomSyncQueries } from '../src/calcom-sync-status/calcom-sync.queries.js';
import { DriftLedgerQueries } from '../src/drift-ledger.queries.js';
import { projectBatch, READ_MODELS_PROJECTION } from '../src/read-models.batch.js';
import { SyncHealthQueries } from '../src/sync-health.queries.js';
import { rebuildReadModels } from '../src/rebuild-read-models.js';
import { appendOne, openTestLedger, scheduledData, projectInBatches, readModelEvents, type TestLedger } from './read-model.fixture.js';

let ledger: TestLedger;
let queries: CalcomSyncQueries;

const booking = (uid: string, overrides: Partial<BookingCopy> = {}) => bookingCopy({ uid, ...overrides });

const append = (stream: string, type: string, data: Record<string, unknown>, source: EventSource = 'sync') => appendOne(ledger.store, stream, type, data, source);

const scheduled = scheduledData;

/** Synced, then rescheduled on Cal.com (chain of two), then one admin change not yet on Cal.com. */
async function appendHistory(id: string) {
  const sync = calcomSyncStream(id);
  await append(appointmentStream(id), 'AppointmentScheduled', scheduled(id), 'admin');
  const op = { appointmentId: id, operationId: randomUUID(), operation: 'create' };
  await append(sync, 'CalcomOperationStarted', { ...op, bookingUid: null, request: {}, ledgerVersion: 1 });
  await append(sync, 'CalcomOperationSucceeded', { ...op, booking: booking(`${id}-a`), alreadyDone: false });
  await append(sync, 'CalcomSyncCompleted', { appointmentId: id, ledgerVersion: 1, bookingUid: `${id}-a` });
  const next = booking(`${id}-b`, { rescheduledFromUid: `${id}-a`, start: '2030-01-03T10:00:00.000Z' });
  await append(sync, 'CalcomBookingObserved', { appointmentId: id, booking: next, via: 'webhook', factId: null });
  return append(appointmentStream(id), 'AppointmentCancelled', { appointmentId: id, reason: 'x' }, 'admin');
}

/** A permanent failure, for the counts and the error block. */
async function appendFailure(id: string) {
  await append(appointmentStream(id), 'AppointmentScheduled', scheduled(id), 'admin');
  const op = { appointmentId: id, operationId: randomUUID(), operation: 'create' };
  await append(calcomSyncStream(id), 'CalcomOperationStarted', { ...op, bookingUid: null, request: {}, ledgerVersion: 1 });
  const error = { code: 'CALCOM_REJECTED', message: 'Attendee email is invalid', status: 400 };
  const failed = { ...op, error, permanent: true, outcomeUnknown: false, attempt: 1, nextRetryAt: null };
  return append(calcomSyncStream(id), 'CalcomOperationFailed', failed);
}

async function expectedStatus(id: string) {
  const syncEvents = await ledger.store.readStream(calcomSyncStream(id));
  const state = syncEvents.reduce(
    (folded, event: RecordedEvent) => evolveCalcomSync(folded, { type: event.type, data: event.data } as CalcomSyncEvent, event.recordedAt),
    initialCalcomSyncState(),
  );
  const ledgerVersion = (await ledger.store.readStream(appointmentStream(id))).length;
  return {
    bookingUid: state.booking?.uid ?? null,
    bookingUids: state.chain,
    syncStatus: syncStatusOf(state, ledgerVersion),
    lastSyncedAt: state.lastSyncedAt,
    attempts: state.attempts,
    lastError: state.lastError,
    nextRetryAt: state.nextRetryAt,
  };
}

/** Synced at the ledger's version 1. */
async function appendSynced(id: string) {
  await append(appointmentStream(id), 'AppointmentScheduled', scheduled(id), 'admin');
  const op = { appointmentId: id, operationId: randomUUID(), operation: 'create' };
  await append(calcomSyncStream(id), 'CalcomOperationStarted', { ...op, bookingUid: null, request: {}, ledgerVersion: 1 });
  await append(calcomSyncStream(id), 'CalcomOperationSucceeded', { ...op, booking: booking(`${id}-a`), alreadyDone: false });
  return append(calcomSyncStream(id), 'CalcomSyncCompleted', { appointmentId: id, ledgerVersion: 1, bookingUid: `${id}-a` });
}

const side = { startsAt: '2030-01-02T10:00:00.000Z', endsAt: '2030-01-02T10:30:00.000Z', staffId: 'sam', status: 'scheduled' };

/** One appointment in each of the other states `syncStatusOf` tells apart. */
async function appendOtherStates() {
  await appendSynced('synced');
  await appendSynced('conflict');
  await append(calcomSyncStream('conflict'), 'SyncConflictDetected', {
    appointmentId: 'conflict',
    conflictId: 'c-1',
    ledger: side,
    calcom: side,
    factId: null,
    summary: 'both moved',
  });
  await append(appointmentStream('no-sync-yet'), 'AppointmentScheduled', scheduled('no-sync-yet'), 'admin');
  await append(appointmentStream('in-flight'), 'AppointmentScheduled', scheduled('in-flight'), 'admin');
  const op = { appointmentId: 'in-flight', operationId: randomUUID(), operation: 'create' };
  await append(calcomSyncStream('in-flight'), 'CalcomOperationStarted', { ...op, bookingUid: null, request: {}, ledgerVersion: 1 });
  // A permanent failure at version 1 holds only until the ledger moves on.
  await append(appointmentStream('failed-then-changed'), 'AppointmentScheduled', scheduled('failed-then-changed'), 'admin');
  const error = { code: 'CALCOM_REJECTED', message: 'Attendee email is invalid', status: 400 };
  const failed = {
    appointmentId: 'failed-then-changed',
    operationId: randomUUID(),
    operation: 'create',
    error,
    permanent: true,
    outcomeUnknown: false,
    attempt: 1,
    nextRetryAt: null,
    ledgerVersion: 1,
  };
  await append(calcomSyncStream('failed-then-changed'), 'CalcomOperationFailed', failed);
  await append(appointmentStream('failed-then-changed'), 'StaffReassigned', { appointmentId: 'failed-then-changed', staffId: 'kim' }, 'admin');
  // The sync knows a booking the ledger has no appointment for (yet): ledger version 0.
  return append(calcomSyncStream('sync-only'), 'CalcomBookingObserved', { appointmentId: 'sync-only', booking: booking('sync-only-a'), via: 'webhook', factId: null });
}

const ids = Array.from({ length: 12 }, (_, index) => `appt-${index}`);
const otherIds = ['synced', 'conflict', 'no-sync-yet', 'in-flight', 'failed-then-changed', 'sync-only'];

beforeAll(async () => {
  ledger = await openTestLedger();
  queries = new CalcomSyncQueries(ledger.readModel);
  for (const id of ids.slice(0, 10)) await appendHistory(id);
  for (const id of ids.slice(10)) await appendFailure(id);
  await appendOtherStates();
  const last = await append(calcomSyncStream('appt-0'), 'CalcomSyncRetryRequested', { appointmentId: 'appt-0' }, 'admin');
  const { events } = await readModelEvents(ledger.store, last.position);
  // Uneven batches, so both streams of one appointment are continued across batches.
  await projectInBatches(ledger.readModel, events, 7);
});

afterAll(() => ledger?.close());

test('each status row is what the domain fold of the sync stream says, against the ledger version', async () => {
  for (const id of [...ids, ...otherIds]) expect(await queries.statusOf(id)).toEqual(await expectedStatus(id));
  expect(await queries.statusOf('appt-0')).toMatchObject({ bookingUid: 'appt-0-b', bookingUids: ['appt-0-a', 'appt-0-b'], syncStatus: 'pending' });
  expect(await queries.statusOf('appt-10')).toMatchObject({
    syncStatus: 'failed',
    lastError: { code: 'CALCOM_REJECTED', message: 'Attendee email is invalid', status: 400, permanent: true },
  });
  expect(await queries.statusOf('nobody')).toBeNull();
  expect(Object.fromEntries(await Promise.all(otherIds.map(async (id) => [id, (await queries.statusOf(id))?.syncStatus])))).toEqual({
    synced: 'synced',
    conflict: 'conflict',
    'no-sync-yet': 'pending',
    'in-flight': 'pending',
    'failed-then-changed': 'pending',
    'sync-only': 'synced',
  });
  expect(await queries.statusOf('no-sync-yet')).toEqual({
    bookingUid: null,
    bookingUids: [],
    syncStatus: 'pending',
    lastSyncedAt: null,
    attempts: 0,
    lastError: null,
    nextRetryAt: null,
  });
});

test('every uid of a chain finds its appointment, old ones included', async () => {
  expect(await queries.appointmentIdForUid('appt-3-a')).toBe('appt-3');
  expect(await queries.bookingLinkOf('appt-3-a')).toEqual({ appointmentId: 'appt-3', isCurrent: false });
  expect(await queries.bookingLinkOf('appt-3-b')).toEqual({ appointmentId: 'appt-3', isCurrent: true });
  expect(await queries.appointmentIdForUid('unknown-uid')).toBeNull();
});

test('counts by status and the unsettled list, derived in SQL, agree with the status of each appointment', async () => {
  const all = [...ids, ...otherIds];
  const statuses = await Promise.all(all.map(async (id) => (await queries.statusOf(id))!.syncStatus));
  const counts = { pending: 0, synced: 0, failed: 0, conflict: 0 };
  for (const status of statuses) counts[status] += 1;
  expect(counts).toEqual({ pending: 13, synced: 2, failed: 2, conflict: 1 });
  expect(await queries.countsByStatus()).toEqual(counts);
  expect(await new SyncHealthQueries(ledger.readModel).health(new Date())).toMatchObject({ counts });
  expect((await queries.unsettledAppointmentIds()).sort()).toEqual(all.filter((_, index) => statuses[index] !== 'synced').sort());
  const drift = new DriftLedgerQueries(ledger.readModel);
  expect((await drift.unsettledOf(all)).sort()).toEqual(all.filter((_, index) => ['pending', 'conflict'].includes(statuses[index])).sort());
});

test('the list filters by each sync status as statusOf reports it: a failure the ledger has moved past is pending, not failed', async () => {
  const appointments = new AppointmentsQueries(ledger.readModel);
  const listed = (await appointments.list({ limit: 200 })).items.map((item) => item.appointmentId);
  const statusOf = async (id: string) => (await queries.statusOf(id))?.syncStatus ?? 'pending';
  const statuses = await Promise.all(listed.map(statusOf));
  for (const syncStatus of ['pending', 'synced', 'failed', 'conflict']) {
    const found = (await appointments.list({ syncStatus, limit: 200 })).items.map((item) => item.appointmentId);
    expect(found).toEqual(listed.filter((_, index) => statuses[index] === syncStatus));
  }
  expect(statuses[listed.indexOf('failed-then-changed')]).toBe('pending');
  expect((await appointments.list({ syncStatus: 'conflict' })).items.map((item) => item.appointmentId)).toEqual(['conflict']);
});

test('a replay changes nothing, and a rebuild gives the same rows', async () => {
  const before = await ledger.readModel.query('SELECT to_jsonb(s)::text AS row FROM calcom_sync_status s ORDER BY appointment_id');
  const { events } = await readModelEvents(ledger.store, 'start');
  await projectInBatches(ledger.readModel, events, 50);
  expect(await ledger.readModel.query('SELECT to_jsonb(s)::text AS row FROM calcom_sync_status s ORDER BY appointment_id')).toEqual(before);
  await rebuildReadModels(ledger.store, ledger.readModel);
  expect(await ledger.readModel.query('SELECT to_jsonb(s)::text AS row FROM calcom_sync_status s ORDER BY appointment_id')).toEqual(before);
  expect(await queries.appointmentIdForUid('appt-9-b')).toBe('appt-9');
});

test('an admin change makes a synced appointment pending at once, without writing its status row', async () => {
  const synced = await appendSynced('admin-changed');
  await projectInBatches(ledger.readModel, (await readModelEvents(ledger.store, synced.position)).events.slice(-4), 10);
  const statusRow = () => ledger.readModel.query("SELECT to_jsonb(s)::text AS row FROM calcom_sync_status s WHERE appointment_id = 'admin-changed'");
  const rowBefore = await statusRow();
  expect((await queries.statusOf('admin-changed'))?.syncStatus).toBe('synced');

  const changed = await append(
    appointmentStream('admin-changed'),
    'AppointmentRescheduled',
    { appointmentId: 'admin-changed', startsAt: '2030-01-05T10:00:00.000Z', endsAt: '2030-01-05T10:30:00.000Z' },
    'admin',
  );
  const { events } = await readModelEvents(ledger.store, changed.position);
  await projectBatch(ledger.readModel, READ_MODELS_PROJECTION, events.slice(-1), changed.position);

  expect(events.at(-1)?.type).toBe('AppointmentRescheduled');
  expect(await queries.statusOf('admin-changed')).toEqual(await expectedStatus('admin-changed'));
  expect((await queries.statusOf('admin-changed'))?.syncStatus).toBe('pending');
  expect(await queries.unsettledAppointmentIds()).toContain('admin-changed');
  expect(await statusRow()).toEqual(rowBefore);
});
