import { appointmentStream, calcomSyncStream, driftChecksStream, type DriftCheckCompleted, type DriftReportItem } from '#domain';
import type { EventSource } from '#event-store';
import { bookingCopy } from '../../libs/domain/test/support/calcom-sync-fixtures.js';
import { DriftChecksQueries } from '../src/drift-checks/drift-checks.queries.js';
import { DriftLedgerQueries } from '../src/drift-ledger.queries.js';
import { rebuildReadModels } from '../src/rebuild-read-models.js';
import { appendOne, openTestLedger, projectInBatches, readModelEvents, type TestLedger } from './read-model.fixture.js';

let ledger: TestLedger;
let checks: DriftChecksQueries;

const append = (stream: string, type: string, data: object, source: EventSource = 'reconciler') => appendOne(ledger.store, stream, type, data, source, 'reconciler');

const item = (kind: DriftReportItem['kind'], appointmentId: string, detectedAt: string): DriftReportItem => ({
  id: `${kind}:${appointmentId}`,
  kind,
  appointmentId,
  bookingUid: `${appointmentId}-u`,
  ledger: null,
  calcom: null,
  differences: [],
  summary: 'differs',
  detectedAt,
});

const completed = (checkId: string, generatedAt: string, items: DriftReportItem[]): DriftCheckCompleted['data'] => ({
  checkId,
  mode: 'full',
  trigger: 'api',
  startedAt: generatedAt,
  generatedAt,
  window: { from: '2029-12-25T00:00:00.000Z', to: '2030-04-01T00:00:00.000Z' },
  updatedSince: null,
  checked: { ledger: 3, calcom: 4 },
  pages: 1,
  items,
});

beforeAll(async () => {
  ledger = await openTestLedger();
  checks = new DriftChecksQueries(ledger.readModel);
});

afterAll(() => ledger?.close());

test('checks, heals and blocked heals become the report, the last check and the history; a replay changes nothing', async () => {
  const now = new Date().toISOString();
  await append(driftChecksStream, 'DriftCheckCompleted', completed('c1', '2030-01-01T00:00:00.000Z', [item('time_mismatch', 'a1', '2030-01-01T00:00:00.000Z')]));
  await append(driftChecksStream, 'DriftCheckCompleted', completed('c2', now, [item('time_mismatch', 'a1', '2030-01-01T00:00:00.000Z'), item('pending', 'a2', now)]));
  await append(driftChecksStream, 'DriftItemHealed', {
    itemId: 'time_mismatch:a1',
    kind: 'time_mismatch',
    appointmentId: 'a1',
    bookingUid: 'a1-u',
    keep: 'calcom',
    decidedBy: 'person',
    appended: ['AppointmentRescheduled'],
  });
  await append(driftChecksStream, 'DriftHealBlocked', { checkId: 'c2', policy: 'calcom-wins', bookingChanges: 11, max: 10, itemIds: [], summary: 'too many' });
  const last = await append(driftChecksStream, 'DriftCheckFailed', {
    checkId: 'c3',
    mode: 'incremental',
    trigger: 'schedule',
    startedAt: now,
    failedAt: now,
    error: { code: 'CALCOM_UNAVAILABLE', message: 'down' },
  });
  const { events } = await readModelEvents(ledger.store, last.position);
  await projectInBatches(ledger.readModel, events, 2);
  await projectInBatches(ledger.readModel, events, 3);

  const report = await checks.latestReport();
  expect(report).toMatchObject({ checkId: 'c2', outcome: 'completed', driftCount: 1, counts: { time_mismatch: 1, pending: 1 }, checked: { ledger: 3, calcom: 4 } });
  expect(report!.items.map((found) => [found.id, found.detectedAt, found.healed?.data.keep ?? null])).toEqual([
    ['time_mismatch:a1', '2030-01-01T00:00:00.000Z', 'calcom'],
    ['pending:a2', now, null],
  ]);
  expect(await checks.lastCheck()).toMatchObject({ checkId: 'c3', outcome: 'failed', error: { code: 'CALCOM_UNAVAILABLE' } });
  const history = await checks.history(10);
  expect(history.checks.map((check) => check.checkId)).toEqual(['c3', 'c2', 'c1']);
  expect(history.heals.map((heal) => heal.type)).toEqual(['DriftHealBlocked', 'DriftItemHealed']);

  await rebuildReadModels(ledger.store, ledger.readModel);
  expect((await checks.history(10)).checks.map((check) => check.checkId)).toEqual(['c3', 'c2', 'c1']);
});

test('the ledger side of a check: the window, what changed since, chains, owners, unsettled sync work and the catalog', async () => {
  const scheduled = (appointmentId: string, startsAt: string, endsAt: string) => ({
    appointmentId,
    serviceId: 'cut',
    staffId: 'sam',
    startsAt,
    endsAt,
    customer: { name: 'Ada', email: 'ada@example.com', timeZone: 'UTC' },
    notes: null,
  });
  await append('staff-sam', 'StaffMemberSaved', { staffId: 'sam', name: 'Sam', email: 'sam@example.com', calcomUserId: 1 }, 'admin');
  await append('service-cut', 'ServiceSaved', { serviceId: 'cut', name: 'Cut', durationMinutes: 30, calcomEventTypeIds: { sam: 101 } }, 'admin');
  await append(appointmentStream('in'), 'AppointmentScheduled', scheduled('in', '2030-01-02T10:00:00.000Z', '2030-01-02T10:30:00.000Z'), 'admin');
  await append(appointmentStream('out'), 'AppointmentScheduled', scheduled('out', '2031-01-02T10:00:00.000Z', '2031-01-02T10:30:00.000Z'), 'admin');
  const snapshot = bookingCopy({ uid: 'u-in', start: '2030-01-02T10:00:00Z', end: '2030-01-02T10:30:00Z' });
  const last = await append(calcomSyncStream('in'), 'CalcomBookingObserved', { appointmentId: 'in', booking: snapshot, via: 'api', factId: null }, 'sync');
  const { events } = await readModelEvents(ledger.store, last.position);
  await projectInBatches(ledger.readModel, events, 100);
  const queries = new DriftLedgerQueries(ledger.readModel);

  const inWindow = await queries.appointmentsInWindow('2030-01-01T00:00:00Z', '2030-02-01T00:00:00Z');
  expect(inWindow).toEqual([
    {
      appointmentId: 'in',
      status: 'scheduled',
      startsAt: '2030-01-02T10:00:00.000Z',
      endsAt: '2030-01-02T10:30:00.000Z',
      staffId: 'sam',
      serviceId: 'cut',
      customer: { name: 'Ada', email: 'ada@example.com', timeZone: 'UTC', phone: null },
      version: 1,
    },
  ]);
  expect(await queries.appointmentsChangedSince('2999-01-01T00:00:00Z', '2030-01-01T00:00:00Z', '2030-02-01T00:00:00Z')).toEqual([]);
  expect((await queries.appointmentsByIds(['out', 'nope'])).map((a) => a.appointmentId)).toEqual(['out']);
  const chains = await queries.chainsOf(['in', 'out']);
  expect(chains.sort((a, b) => a.appointmentId.localeCompare(b.appointmentId))).toEqual([
    { appointmentId: 'in', bookingUid: 'u-in', bookingUids: ['u-in'] },
    { appointmentId: 'out', bookingUid: null, bookingUids: [] },
  ]);
  expect(await queries.ownersOf(['u-in', 'u-x'])).toEqual(new Map([['u-in', 'in']]));
  // Neither was ever completed by the sync: both still owe Cal.com something.
  expect((await queries.unsettledOf(['in', 'out', 'nope'])).sort()).toEqual(['in', 'out']);
  expect(await queries.catalog()).toEqual({
    staff: [{ staffId: 'sam', calcomUserId: 1 }],
    services: [{ serviceId: 'cut', durationMinutes: 30, calcomEventTypeIds: { sam: 101 } }],
  });
});
