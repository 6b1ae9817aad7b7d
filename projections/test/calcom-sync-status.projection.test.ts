import { randomUUID } from 'node:crypto';
import {
  appointmentStream,
  type BookingSnapshot,
  type CalcomSyncEvent,
  calcomSyncStream,
  evolveCalcomSync,
  initialCalcomSyncState,
  syncStatusOf,
} from '../../libs/domain/src/index.js';
import type { EventSource, RecordedEvent } from '../../libs/event-store/src/event-store.port.js';
import { CalcomSyncQueries } from '../src/calcom-sync.queries.js';
import { rebuildReadModels } from '../src/rebuild-read-models.js';
import { openTestLedger, projectInBatches, readModelEvents, type TestLedger } from './read-model.fixture.js';

let ledger: TestLedger;
let queries: CalcomSyncQueries;

const booking = (uid: string, overrides: Partial<BookingSnapshot> = {}): BookingSnapshot => ({
  uid,
  start: '2030-01-02T10:00:00.000Z',
  end: '2030-01-02T10:30:00.000Z',
  eventTypeId: 101,
  hostUserId: 1,
  status: 'accepted',
  rescheduledFromUid: null,
  rescheduledToUid: null,
  ...overrides,
});

async function append(stream: string, type: string, data: Record<string, unknown>, source: EventSource = 'sync') {
  const metadata = { actor: 'test', source, correlationId: randomUUID(), causationId: null };
  return ledger.store.appendToStream(stream, [{ id: randomUUID(), type, data, metadata }]);
}

const scheduled = (appointmentId: string) => ({
  appointmentId,
  serviceId: 'cut',
  staffId: 'sam',
  startsAt: '2030-01-02T10:00:00.000Z',
  endsAt: '2030-01-02T10:30:00.000Z',
  customer: { name: 'Ada', email: 'ada@example.com', timeZone: 'UTC', phone: null },
  notes: null,
});

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

const ids = Array.from({ length: 12 }, (_, index) => `appt-${index}`);

beforeAll(async () => {
  ledger = await openTestLedger();
  queries = new CalcomSyncQueries(ledger.readModel);
  for (const id of ids.slice(0, 10)) await appendHistory(id);
  for (const id of ids.slice(10)) await appendFailure(id);
  const last = await append(calcomSyncStream('appt-0'), 'CalcomSyncRetryRequested', { appointmentId: 'appt-0' }, 'admin');
  const { events } = await readModelEvents(ledger.store, last.position);
  // Uneven batches, so both streams of one appointment are continued across batches.
  await projectInBatches(ledger.readModel, events, 7);
});

afterAll(() => ledger?.close());

test('each status row is what the domain fold of the sync stream says, against the ledger version', async () => {
  for (const id of ids) expect(await queries.statusOf(id)).toEqual(await expectedStatus(id));
  expect(await queries.statusOf('appt-0')).toMatchObject({ bookingUid: 'appt-0-b', bookingUids: ['appt-0-a', 'appt-0-b'], syncStatus: 'pending' });
  expect(await queries.statusOf('appt-10')).toMatchObject({
    syncStatus: 'failed',
    lastError: { code: 'CALCOM_REJECTED', message: 'Attendee email is invalid', status: 400, permanent: true },
  });
  expect(await queries.statusOf('nobody')).toBeNull();
});

test('every uid of a chain finds its appointment, old ones included', async () => {
  expect(await queries.appointmentIdForUid('appt-3-a')).toBe('appt-3');
  expect(await queries.bookingLinkOf('appt-3-a')).toEqual({ appointmentId: 'appt-3', isCurrent: false });
  expect(await queries.bookingLinkOf('appt-3-b')).toEqual({ appointmentId: 'appt-3', isCurrent: true });
  expect(await queries.appointmentIdForUid('unknown-uid')).toBeNull();
});

test('counts by status and the unsettled list', async () => {
  expect(await queries.countsByStatus()).toEqual({ pending: 10, synced: 0, failed: 2, conflict: 0 });
  expect((await queries.unsettledAppointmentIds()).sort()).toEqual([...ids].sort());
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
