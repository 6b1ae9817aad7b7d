import { randomUUID } from 'node:crypto';
import { appointmentWhen, ledgerWithSandboxForFile } from '../support/calcom-ledger.js';
import { slot } from '../support/calcom-sandbox-customer.js';

/** The list the admin UI filters: each item's calcom block, and filters by service, sync status and customer search. */
const running = ledgerWithSandboxForFile('list_filters');

async function book(serviceId: string, staffId: string, index: number, customer: { name: string; email: string; phone?: string }) {
  const appointmentId = randomUUID();
  const created = await running.admin.post('/appointments', { appointmentId, serviceId, staffId, startsAt: slot(index), customer: { timeZone: 'Europe/Berlin', ...customer } });
  expect(created.status).toBe(201);
  return appointmentId;
}

const ids = async (query: string) => {
  const { status, body } = await running.admin.get(`/appointments?limit=200&${query}`);
  expect(status).toBe(200);
  return body.items.map((item: { appointmentId: string }) => item.appointmentId);
};

test('service, sync status and search filter the list; each item carries its calcom block; % and _ are plain characters', async () => {
  const ada = await book('consultation', 'olivia', 0, { name: 'Ada Lovelace', email: 'ada@example.com', phone: '+49 30 1234' });
  const grace = await book('assessment', 'olivia', 2, { name: 'Grace Hopper', email: 'grace_h@example.com' });
  await appointmentWhen(running.admin, ada, (found) => expect(found.calcom.syncStatus).toBe('synced'));
  await appointmentWhen(running.admin, grace, (found) => expect(found.calcom.syncStatus).toBe('synced'));
  await running.customer.faults({ apiErrorRate: 1 });
  const stuck = await book('team-session', 'hugo', 4, { name: 'Ben 100% Okafor', email: 'ben@example.com' });

  expect(await ids('serviceId=assessment')).toEqual([grace]);
  expect(await ids('syncStatus=synced')).toEqual([ada, grace]);
  expect(await ids('syncStatus=pending')).toEqual([stuck]);
  expect(await ids('syncStatus=failed')).toEqual([]);
  expect(await ids('search=LOVELACE')).toEqual([ada]);
  expect(await ids('search=grace_h%40')).toEqual([grace]);
  expect(await ids('search=30%201234')).toEqual([ada]);
  expect(await ids('search=100%25')).toEqual([stuck]);
  expect(await ids('search=%25')).toEqual([stuck]);
  expect(await ids('search=_')).toEqual([grace]);
  expect(await ids('search=ada&syncStatus=synced&serviceId=consultation&staffId=olivia')).toEqual([ada]);

  const { body } = await running.admin.get('/appointments?syncStatus=synced');
  expect(body.items[0].calcom).toMatchObject({ syncStatus: 'synced', bookingUid: expect.any(String), bookingUids: [expect.any(String)] });
  const pending = (await running.admin.get('/appointments?syncStatus=pending')).body.items[0];
  expect(pending.calcom).toMatchObject({ syncStatus: 'pending' });
});

test.each([
  ['syncStatus=unknown', 'syncStatus'],
  ['syncStatus=synced&syncStatus=failed', 'syncStatus'],
  ['serviceId=__proto__', 'serviceId'],
  ['search=', 'search'],
  ['search=a%00b', 'search'],
  ['search=a%0Ab', 'search'],
  ['search=a&search=b', 'search'],
  [`search=${'x'.repeat(201)}`, 'search'],
])('%s is refused with 400 in the error shape', async (query) => {
  const { status, body } = await running.admin.get(`/appointments?${query}`);
  expect(status).toBe(400);
  expect(body.error.code).toMatch(/^(VALIDATION_FAILED|BAD_REQUEST)$/);
});
