import { appointmentStream } from '#domain';
import { AppointmentsQueries } from '../src/appointments/appointments.queries.js';
import { appendOne, openTestLedger, projectInBatches, readModelEvents, scheduledData, type TestLedger } from './read-model.fixture.js';

let ledger: TestLedger;

beforeAll(async () => {
  ledger = await openTestLedger();
});

afterAll(() => ledger?.close());

test('a status only Cal.com sets (rejected, requested, back to scheduled) reaches the appointments read model', async () => {
  const stream = appointmentStream('s1');
  await appendOne(ledger.store, stream, 'AppointmentScheduled', scheduledData('s1'), 'calcom');
  const statuses = ['rejected', 'scheduled', 'requested'];
  let last;
  for (const [index, status] of statuses.entries()) {
    const previousStatus = index === 0 ? 'scheduled' : statuses[index - 1];
    last = await appendOne(ledger.store, stream, 'AppointmentStatusChanged', { appointmentId: 's1', status, previousStatus, trigger: 'test' }, 'calcom');
  }
  const { events } = await readModelEvents(ledger.store, last!.position);
  await projectInBatches(ledger.readModel, events.slice(0, 3), 10);
  expect(await new AppointmentsQueries(ledger.readModel).get('s1')).toMatchObject({ status: 'scheduled', version: 3 });
  await projectInBatches(ledger.readModel, events, 1);
  expect(await new AppointmentsQueries(ledger.readModel).get('s1')).toMatchObject({ status: 'requested', version: 4 });
});
