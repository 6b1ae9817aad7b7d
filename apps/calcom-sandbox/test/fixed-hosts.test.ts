import { DEFAULT_CATALOG, type SandboxCatalog } from '../src/catalog.js';
import { assertExactlySchema } from './support/openapi-validator.js';
import { attendee, type SandboxClient, startAt, testClock } from './support/sandbox-client.js';
import { type SandboxWithWebhooks, startSandboxWithWebhooks } from './support/sandbox-under-test.js';
import type { WebhookReceiver } from './support/webhook-receiver.js';

/** Round-robin with a fixed host: the organizer stays the fixed host; reassign moves the round-robin member only. */
let started: SandboxWithWebhooks;
let client: SandboxClient;
let receiver: WebhookReceiver;

const CATALOG: SandboxCatalog = {
  users: DEFAULT_CATALOG.users,
  eventTypes: [...DEFAULT_CATALOG.eventTypes, { id: 104, slug: 'duo-60', title: 'Duo', lengthInMinutes: 60, hosts: [1, 2, 3], fixedHosts: [1], schedulingType: 'ROUND_ROBIN' }],
};

beforeAll(async () => {
  started = await startSandboxWithWebhooks({ now: testClock().now, catalog: CATALOG });
  ({ receiver, client } = started);
});
beforeEach(() => started.reset());
afterAll(() => started?.close());

const book = async (start = startAt(2)) => (await client.v2('POST', '/bookings', { eventTypeId: 104, start, attendee: attendee() })).body.data;
const member = (booking: { attendees: { email: string }[] }) => booking.attendees.slice(1).map((person) => person.email);

test('the fixed host organizes and the round-robin pick joins as an attendee and a webhook team member', async () => {
  const booking = await book();
  assertExactlySchema('BookingOutput_2024_08_13', booking);
  expect(booking.hosts.map((host: { id: number }) => host.id)).toEqual([1]);
  expect(member(booking)).toEqual(['hugo@sandbox.example']);
  const payload = receiver.received[0].json.payload as { organizer: { id: number }; team: { members: { id: number }[] } };
  expect(payload.organizer.id).toBe(1);
  expect(payload.team.members.map((person) => person.id)).toEqual([2]);
});

test('reassign moves the member, never the organizer; reassigning to the fixed host is a 500 and changes nothing', async () => {
  const booking = await book();
  const reassigned = await client.v2('POST', `/bookings/${booking.uid}/reassign`);
  expect(reassigned.status).toBe(200);
  expect(reassigned.body.data.reassignedTo.id).toBe(3);
  const after = (await client.v2('GET', `/bookings/${booking.uid}`)).body.data;
  expect(after.hosts[0].id).toBe(1);
  expect(member(after)).toEqual(['rita@sandbox.example']);

  const mutations = (await client.state()).mutations.length;
  const toFixed = await client.v2('POST', `/bookings/${booking.uid}/reassign/1`, {});
  expect(toFixed.status).toBe(500);
  expect(toFixed.body.error).toEqual({ code: 'INTERNAL_SERVER_ERROR', message: 'Internal server error.' });
  expect((await client.state()).mutations).toHaveLength(mutations);
  expect((await client.v2('POST', `/bookings/${booking.uid}/reassign/2`, {})).body.data.reassignedTo.id).toBe(2);
  expect((await client.v2('GET', `/bookings/${booking.uid}`)).body.data.hosts[0].id).toBe(1);
});

test('a busy fixed host makes the slot unavailable even when round-robin hosts are free', async () => {
  await client.v2('POST', '/bookings', { eventTypeId: 101, start: startAt(4), attendee: attendee('Bo', 'bo@example.com') });
  const refused = await client.v2('POST', '/bookings', { eventTypeId: 104, start: startAt(4), attendee: attendee() });
  expect(refused.status).toBe(400);
  expect(refused.body.error.message).toMatch(/One of the hosts/);
});

test('a reschedule keeps the organizer and, when free, the member', async () => {
  const booking = await book(startAt(5));
  const moved = await client.v2('POST', `/bookings/${booking.uid}/reschedule`, { start: startAt(6) });
  expect(moved.status).toBe(201);
  expect(moved.body.data.hosts[0].id).toBe(1);
  expect(member(moved.body.data)).toEqual(member(booking));
});
