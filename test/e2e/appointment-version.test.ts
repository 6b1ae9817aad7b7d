import type { LedgerClient } from '../support/ledger-client.js';
import { customer, inDays } from '../support/appointment-fixtures.js';
import { ledgerForFile } from '../support/ledger-for-tests.js';

/**
 * Issue 11, item 1: a client sees one `version` per appointment, whichever answer shows it (the list, the item, its
 * ETag, a command's answer), and may send any of them back as `If-Match`. The list used to show the last event's
 * revision, one less than the rest, so its value was always refused with 412.
 */
const file = ledgerForFile('version');
let admin: LedgerClient;

beforeAll(async () => {
  admin = file.admin;
  await admin.put('/staff/val', { name: 'Val', email: 'val@salon.example', calcomUserId: 301 });
  await admin.put('/staff/max', { name: 'Max', email: 'max@salon.example', calcomUserId: 302 });
  await admin.put('/services/trim', { name: 'Trim', durationMinutes: 30, calcomEventTypeIds: { val: 3001, max: 3002 } });
  await admin.put('/services/perm', { name: 'Perm', durationMinutes: 60, calcomEventTypeIds: { val: 3003, max: 3004 } });
});

async function listed(appointmentId: string): Promise<{ version: number }> {
  const page = await admin.get(`/appointments?limit=200`);
  expect(page.status).toBe(200);
  const item = page.body.items.find((found: { appointmentId: string }) => found.appointmentId === appointmentId);
  expect(item).toBeTruthy();
  return item;
}

/** The version as the item, its ETag and the list show it, which must be one number. */
async function versionsShown(appointmentId: string): Promise<{ item: number; etag: string | null; list: number }> {
  const item = await admin.get(`/appointments/${appointmentId}`);
  expect(item.status).toBe(200);
  return { item: item.body.version, etag: item.headers.get('etag'), list: (await listed(appointmentId)).version };
}

test("the list's version works as If-Match, and once used it is stale (412)", async () => {
  const created = await admin.post('/appointments', { serviceId: 'trim', staffId: 'val', startsAt: inDays(4, 9), customer });
  expect(created.status).toBe(201);
  const { appointmentId } = created.body;
  const { version } = await listed(appointmentId);
  expect(version).toBe(created.body.version);

  const moved = await admin.post(`/appointments/${appointmentId}/reschedule`, { startsAt: inDays(4, 11) }, { 'if-match': `"${version}"` });
  expect(moved.status).toBe(200);
  expect(moved.body).toEqual({ appointmentId, version: version + 1 });

  const stale = await admin.post(`/appointments/${appointmentId}/reschedule`, { startsAt: inDays(4, 13) }, { 'if-match': `"${version}"` });
  expect(stale.status).toBe(412);
  expect(stale.body.error).toMatchObject({ code: 'VERSION_CONFLICT', details: { appointmentId, expectedVersion: version, actualVersion: version + 1 } });
  // One below the list's number (the old list value) is just as stale.
  const below = await admin.post(`/appointments/${appointmentId}/cancel`, { reason: 'no' }, { 'if-match': `"${version - 1}"` });
  expect(below.status).toBe(412);
  expect(await versionsShown(appointmentId)).toEqual({ item: version + 1, etag: `"${version + 1}"`, list: version + 1 });
});

test('list, item, ETag and command answer agree after each of several changes', async () => {
  const created = await admin.post('/appointments', { serviceId: 'trim', staffId: 'max', startsAt: inDays(6, 9), customer });
  expect(created.status).toBe(201);
  const { appointmentId } = created.body;
  const changes: [string, Record<string, unknown>][] = [
    ['reschedule', { startsAt: inDays(6, 12) }],
    ['reassign', { staffId: 'val' }],
    ['change-service', { serviceId: 'perm' }],
    ['reschedule', { startsAt: inDays(7, 10), reason: 'moved again' }],
    ['cancel', { reason: 'ill' }],
  ];
  let answered: number = created.body.version;
  expect(answered).toBe(1);
  expect(await versionsShown(appointmentId)).toEqual({ item: 1, etag: '"1"', list: 1 });
  for (const [command, body] of changes) {
    // Each change is sent with the number the list showed, so every step also proves the list's value current.
    const { version } = await listed(appointmentId);
    const response = await admin.post(`/appointments/${appointmentId}/${command}`, body, { 'if-match': `"${version}"` });
    expect([command, response.status]).toEqual([command, 200]);
    expect(response.body.version).toBe(answered + 1);
    answered = response.body.version;
    expect(await versionsShown(appointmentId)).toEqual({ item: answered, etag: `"${answered}"`, list: answered });
  }
  expect(answered).toBe(1 + changes.length);
});

test("a catalog entry's listed version is the one its save answered", async () => {
  const first = await admin.put('/staff/lou', { name: 'Lou', email: 'lou@salon.example' });
  const second = await admin.put('/staff/lou', { name: 'Lou Reed', email: 'lou@salon.example' });
  expect([first.body.version, second.body.version]).toEqual([1, 2]);
  const staff = await admin.get('/staff');
  expect(staff.body.items.find((member: { staffId: string }) => member.staffId === 'lou')).toMatchObject({ name: 'Lou Reed', version: 2 });
  const saved = await admin.put('/services/trim', { name: 'Trim', durationMinutes: 45, calcomEventTypeIds: { val: 3001, max: 3002 } });
  const services = await admin.get('/services');
  expect(services.body.items.find((service: { serviceId: string }) => service.serviceId === 'trim')).toMatchObject({ durationMinutes: 45, version: saved.body.version });
  expect(saved.body.version).toBe(2);
});
