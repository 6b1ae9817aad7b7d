import { randomUUID } from 'node:crypto';
import { CalcomClient } from '#calcom';
import { startSandbox, type RunningSandbox } from '#calcom-sandbox';
import { appointmentStream, calcomSyncStream, serviceStream, staffStream } from '#domain';
import { type EventMetadata, type EventStore, openEventStore, type OpenedEventStore } from '#event-store';
import { slot } from '#test-support/calcom-sandbox-customer';
import { createTestDatabase, type TestDatabase } from '#test-support/test-database';
import { CalcomCatalog } from '../../src/calcom-sync/calcom-catalog.js';
import { CalcomSyncRecorder } from '../../src/calcom-sync/calcom-sync.recorder.js';
import { CalcomSyncRunner } from '../../src/calcom-sync/calcom-sync.runner.js';

let database: TestDatabase;
let opened: OpenedEventStore;
let sandbox: RunningSandbox;
let client: CalcomClient;

beforeAll(async () => {
  database = await createTestDatabase('sync_runner');
  opened = await openEventStore({ postgresUrl: database.url });
  sandbox = await startSandbox({ port: 0 });
  client = new CalcomClient({ apiUrl: sandbox.url, apiKey: sandbox.apiKey, timeoutMs: 5_000, rateLimitPerMinute: 100_000 });
});

afterAll(async () => {
  client?.close();
  await sandbox?.close();
  await opened?.close();
  await database?.drop();
});

const metadata = (): EventMetadata => ({ actor: 'admin:test', source: 'admin', correlationId: randomUUID(), causationId: null });

/** The store, with the stream of every readStream noted. */
function readsNoted(store: EventStore) {
  const reads: string[] = [];
  const noted = Object.create(store) as EventStore;
  noted.readStream = ((streamName: string, options?: unknown) => {
    reads.push(streamName);
    return (store.readStream as (name: string, options?: unknown) => ReturnType<EventStore['readStream']>)(streamName, options);
  }) as EventStore['readStream'];
  return { noted, reads };
}

test('a run that creates the booking ends with the completion: it does not read both streams again to be told there is nothing left', async () => {
  const { store } = opened;
  const appointmentId = randomUUID();
  await store.appendToStream(staffStream('olivia'), [
    { id: randomUUID(), type: 'StaffMemberSaved', data: { staffId: 'olivia', name: 'Olivia', email: 'olivia@sandbox.example', calcomUserId: 1 }, metadata: metadata() },
  ]);
  const calcomEventTypeIds = { olivia: 101 };
  await store.appendToStream(serviceStream('consultation'), [
    { id: randomUUID(), type: 'ServiceSaved', data: { serviceId: 'consultation', name: 'Consultation', durationMinutes: 30, calcomEventTypeIds }, metadata: metadata() },
  ]);
  const startsAt = slot(1);
  const endsAt = new Date(Date.parse(startsAt) + 30 * 60_000).toISOString();
  const customer = { name: 'Ann Lee', email: 'ann@example.com', timeZone: 'Europe/Berlin' };
  const scheduled = { appointmentId, serviceId: 'consultation', staffId: 'olivia', startsAt, endsAt, customer, notes: null };
  await store.appendToStream(appointmentStream(appointmentId), [{ id: randomUUID(), type: 'AppointmentScheduled', data: scheduled, metadata: metadata() }]);
  const { noted, reads } = readsNoted(store);
  const runner = new CalcomSyncRunner({
    store: noted,
    client,
    catalog: new CalcomCatalog(noted, client),
    recorder: new CalcomSyncRecorder(noted),
    backoff: { initialDelayMs: 50, maxDelayMs: 500 },
    budget: { maxAttempts: 3, maxMs: 60_000 },
    now: () => new Date(),
  });

  expect(await runner.reconcile(appointmentId)).toEqual({ retryAt: null });

  const recorded = await store.readStream(calcomSyncStream(appointmentId));
  expect(recorded.map((event) => event.type)).toEqual(['CalcomOperationStarted', 'CalcomOperationSucceeded', 'CalcomSyncCompleted']);
  // Once before the call, once before the completion.
  expect(reads.filter((name) => name === appointmentStream(appointmentId))).toHaveLength(2);
  // A look afterwards (the process manager's, for any change) finds nothing to do and writes nothing.
  expect(await runner.reconcile(appointmentId)).toEqual({ retryAt: null });
  expect(await store.readStream(calcomSyncStream(appointmentId))).toHaveLength(3);
});
