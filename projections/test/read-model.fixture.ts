import type { DataSource } from 'typeorm';
import { appointmentDetails, appointmentEventTypes, appointmentStream, evolve, initialState, type AppointmentEvent } from '#domain';
import { openEventStore, type OpenedEventStore, START, type EventSource, type EventStore, type Position, type RecordedEvent } from '#event-store';
import { randomUUID } from 'node:crypto';
import { eventually } from '#test-support/eventually';
import { createTestDatabase, type TestDatabase } from '#test-support/test-database';
import type { AppointmentSummary } from '../src/appointments/appointments.queries.js';
import { openReadModel } from '../src/read-model.data-source.js';
import { projectBatch, READ_MODELS_PROJECTION } from '../src/read-models.batch.js';
import { readModelStreamPrefixes } from '../src/read-models.js';

export interface TestLedger {
  store: EventStore;
  readModel: DataSource;
  close(): Promise<void>;
}

/** A fresh database with the event store schema and the read models migrated. */
export async function openTestLedger(): Promise<TestLedger> {
  const database: TestDatabase = await createTestDatabase('projections');
  const eventStore: OpenedEventStore = await openEventStore({ postgresUrl: database.url });
  const readModel = await openReadModel(database.url);
  return {
    store: eventStore.store,
    readModel,
    async close() {
      await readModel.destroy();
      await eventStore.close();
      await database.drop();
    },
  };
}

/** Every read-model row in a stable order, as PostgreSQL's own JSON text: exact to the microsecond. */
export async function snapshotReadModels(readModel: DataSource): Promise<Record<string, string[]>> {
  const snapshot: Record<string, string[]> = {};
  for (const [table, key] of [
    ['appointments', 'appointment_id'],
    ['staff', 'staff_id'],
    ['services', 'service_id'],
  ]) {
    const rows: { row: string }[] = await readModel.query(`SELECT to_jsonb(t)::text AS row FROM ${table} t ORDER BY ${key}`);
    snapshot[table] = rows.map(({ row }) => row);
  }
  return snapshot;
}

export async function checkpointOf(readModel: DataSource, name = READ_MODELS_PROJECTION): Promise<string | null> {
  const rows: { position: string }[] = await readModel.query('SELECT position FROM projection_checkpoints WHERE name = $1', [name]);
  return rows[0]?.position ?? null;
}

/**
 * Every event the read models follow, once the store lets a reader see up to `until`: a transaction anywhere on
 * the server (other test files share it) can hold back readAll for a moment, by design of the event store.
 */
export function readModelEvents(store: EventStore, until: Position): Promise<{ events: RecordedEvent[]; head: Position }> {
  return eventually(async () => {
    const read = await readModelEventsNow(store);
    expect(store.comparePositions(read.head, until)).toBeGreaterThanOrEqual(0);
    return read;
  });
}

async function readModelEventsNow(store: EventStore): Promise<{ events: RecordedEvent[]; head: Position }> {
  const events: RecordedEvent[] = [];
  let position: Position = START;
  for (;;) {
    const page = await store.readAll({ after: position, limit: 500, streamPrefixes: [...readModelStreamPrefixes] });
    events.push(...page.events);
    const moved = store.comparePositions(page.position, position) > 0;
    position = page.position;
    if (page.events.length === 0 && !moved) return { events, head: position };
  }
}

/** Projects events in batches the way the projector does, each batch with its checkpoint. */
export async function projectInBatches(readModel: DataSource, events: readonly RecordedEvent[], batchSize: number): Promise<void> {
  for (let start = 0; start < events.length; start += batchSize) {
    const batch = events.slice(start, start + batchSize);
    await projectBatch(readModel, READ_MODELS_PROJECTION, batch, batch.at(-1)!.position);
  }
}

/** The oracle: what the domain's own fold says the appointment is, straight from its stream. */
export async function appointmentFromStream(store: EventStore, appointmentId: string): Promise<AppointmentSummary> {
  const events = await store.readStream(appointmentStream(appointmentId));
  const state = events
    .filter(({ type }) => (appointmentEventTypes as readonly string[]).includes(type))
    .reduce((folded, { type, data }) => evolve(folded, { type, data } as AppointmentEvent), initialState());
  if (state.status === 'initial') throw new Error(`${appointmentId} was never scheduled`);
  return {
    ...appointmentDetails(state, events.length),
    createdAt: events[0].recordedAt,
    updatedAt: events.at(-1)!.recordedAt,
  };
}

/**
 * Makes the database itself fail a batch at its very last write, the checkpoint, while a row is in
 * `fail_checkpoint_writes` (insert one to start failing, delete it to stop).
 */
export async function installCheckpointFailureSwitch(readModel: DataSource): Promise<void> {
  await readModel.query(`
    CREATE TABLE fail_checkpoint_writes (reason text NOT NULL);
    CREATE FUNCTION fail_checkpoint_write() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF EXISTS (SELECT 1 FROM fail_checkpoint_writes) THEN RAISE EXCEPTION 'injected checkpoint failure'; END IF;
      RETURN NEW;
    END $$;
    CREATE TRIGGER fail_checkpoint_write BEFORE INSERT OR UPDATE ON projection_checkpoints
      FOR EACH ROW EXECUTE FUNCTION fail_checkpoint_write();`);
}

/** One event with test metadata, appended at whatever revision the stream is at. */
export function appendOne(store: EventStore, stream: string, type: string, data: object, source: EventSource, actor = 'test') {
  const metadata = { actor, source, correlationId: randomUUID(), causationId: null };
  return store.appendToStream(stream, [{ id: randomUUID(), type, data, metadata }]);
}

/** The data of an `AppointmentScheduled` the read-model tests share. */
export const scheduledData = (appointmentId: string) => ({
  appointmentId,
  serviceId: 'cut',
  staffId: 'sam',
  startsAt: '2030-01-02T10:00:00.000Z',
  endsAt: '2030-01-02T10:30:00.000Z',
  customer: { name: 'Ada', email: 'ada@example.com', timeZone: 'UTC', phone: null },
  notes: null,
});
