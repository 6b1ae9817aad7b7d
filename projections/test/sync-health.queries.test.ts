import { randomUUID } from 'node:crypto';
import { appointmentStream, calcomSyncStream, driftChecksStream } from '#domain';
import type { EventSource } from '#event-store';
import { SyncHealthQueries } from '../src/sync-health.queries.js';
import { appendOne, scheduledData, openTestLedger, projectInBatches, readModelEvents, type TestLedger } from './read-model.fixture.js';

let ledger: TestLedger;

const append = (stream: string, type: string, data: object, source: EventSource = 'sync') => appendOne(ledger.store, stream, type, data, source);

const scheduled = scheduledData;

const failed = (appointmentId: string, permanent: boolean) => ({
  appointmentId,
  operationId: randomUUID(),
  operation: 'create',
  error: { code: permanent ? 'CALCOM_REJECTED' : 'CALCOM_SERVER_ERROR', message: 'no', status: permanent ? 400 : 500 },
  permanent,
  outcomeUnknown: false,
  attempt: 1,
  nextRetryAt: null,
});

beforeAll(async () => {
  ledger = await openTestLedger();
});

afterAll(() => ledger?.close());

test('counts by sync status, the oldest pending, failed calls in the last hour, the last webhook and the last drift check', async () => {
  const queries = new SyncHealthQueries(ledger.readModel);
  expect(await queries.health(new Date())).toEqual({
    counts: { pending: 0, synced: 0, failed: 0, conflict: 0 },
    oldestPending: null,
    failuresLastHour: { calls: 0, permanent: 0 },
    lastWebhookReceivedAt: null,
    lastDriftCheck: null,
  });

  await append(appointmentStream('first'), 'AppointmentScheduled', scheduled('first'), 'admin');
  await append(appointmentStream('second'), 'AppointmentScheduled', scheduled('second'), 'admin');
  await append(calcomSyncStream('second'), 'CalcomOperationFailed', failed('second', false));
  await append(calcomSyncStream('second'), 'CalcomOperationFailed', failed('second', true));
  await append(
    'calcomwebhook-0123456789abcdef0123456789abcdef',
    'CalcomWebhookReceived',
    {
      receivedAt: '2030-01-01T12:00:00.000Z',
      contentType: 'application/json',
      body: '{"triggerEvent":"PING"}',
      triggerEvent: 'PING',
      bookingUid: null,
    },
    'calcom',
  );
  const last = await append(
    driftChecksStream,
    'DriftCheckFailed',
    {
      checkId: 'c1',
      mode: 'full',
      trigger: 'api',
      startedAt: '2030-01-01T12:00:00.000Z',
      failedAt: '2030-01-01T12:00:01.000Z',
      error: { code: 'CALCOM_NETWORK', message: 'down' },
    },
    'reconciler',
  );
  const { events } = await readModelEvents(ledger.store, last.position);
  await projectInBatches(ledger.readModel, events, 3);
  await projectInBatches(ledger.readModel, events, 100);

  const health = await queries.health(new Date());
  expect(health.counts).toEqual({ pending: 1, synced: 0, failed: 1, conflict: 0 });
  expect(health.oldestPending).toEqual({ appointmentId: 'first', since: events[0].recordedAt });
  expect(health.failuresLastHour).toEqual({ calls: 2, permanent: 1 });
  expect(health.lastWebhookReceivedAt).toBe(events.find((event) => event.type === 'CalcomWebhookReceived')!.recordedAt);
  expect(health.lastDriftCheck).toMatchObject({ checkId: 'c1', outcome: 'failed', error: { code: 'CALCOM_NETWORK' } });
  expect((await queries.health(new Date(Date.now() + 2 * 3_600_000))).failuresLastHour).toEqual({ calls: 0, permanent: 0 });
});
