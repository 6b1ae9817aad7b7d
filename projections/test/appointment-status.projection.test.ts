import { randomUUID } from 'node:crypto';
import { appointmentStream } from '#domain';
import { AppointmentsQueries } from '../src/appointments/appointments.queries.js';
import { openTestLedger, projectInBatches, readModelEvents, type TestLedger } from './read-model.fixture.js';

let ledger: TestLedger;

beforeAll(async () => {
  ledger = await openTestLedger();
});

afterAll(() => ledger?.close());

test('a status only Cal.com sets (rejected, requested, back to scheduled) reaches the appointments read model', async () => {
  const metadata = { actor: 'test', source: 'calcom' as const, correlationId: randomUUID(), causationId: null };
  const stream = appointmentStream('s1');
  const scheduled = {
    appointmentId: 's1',
    serviceId: 'cut',
    staffId: 'sam',
    startsAt: '2030-01-02T10:00:00.000Z',
    endsAt: '2030-01-02T10:30:00.000Z',
    customer: { name: 'Ada', email: 'ada@example.com', timeZone: 'UTC', phone: null },
    notes: null,
  };
  await ledger.store.appendToStream(stream, [{ id: randomUUID(), type: 'AppointmentScheduled', data: scheduled, metadata }]);
  const statuses = ['rejected', 'scheduled', 'requested'];
  let last;
  for (const [index, status] of statuses.entries()) {
    const previousStatus = index === 0 ? 'scheduled' : statuses[index - 1];
    last = await ledger.store.appendToStream(stream, [
      { id: randomUUID(), type: 'AppointmentStatusChanged', data: { appointmentId: 's1', status, previousStatus, trigger: 'test' }, metadata },
    ]);
  }
  const { events } = await readModelEvents(ledger.store, last!.position);
  await projectInBatches(ledger.readModel, events.slice(0, 3), 10);
  expect(await new AppointmentsQueries(ledger.readModel).get('s1')).toMatchObject({ status: 'scheduled', version: 3 });
  await projectInBatches(ledger.readModel, events, 1);
  expect(await new AppointmentsQueries(ledger.readModel).get('s1')).toMatchObject({ status: 'requested', version: 4 });
});
