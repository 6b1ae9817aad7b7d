import { assertValidResponse } from './support/openapi-validator.js';
import { attendee, type SandboxClient, startAt, testClock } from './support/sandbox-client.js';
import { type SandboxWithWebhooks, startSandboxWithWebhooks } from './support/sandbox-under-test.js';
import type { WebhookReceiver } from './support/webhook-receiver.js';

/**
 * `POST /v2/bookings/{uid}/mark-absent` (MarkAbsentBookingInput_2024_08_13): refused before the start; attendee
 * changes send BOOKING_NO_SHOW_UPDATED (handleMarkNoShow.ts, per Cal.com's notes), the host flag alone sends nothing.
 */
let started: SandboxWithWebhooks;
let receiver: WebhookReceiver;
let client: SandboxClient;
const clock = testClock();

beforeAll(async () => {
  started = await startSandboxWithWebhooks({ now: clock.now });
  ({ receiver, client } = started);
});
beforeEach(() => {
  receiver.received.length = 0;
});
afterAll(() => started?.close());

const mutations = async (uid: string) => (await client.state()).mutations.filter((entry: { uid: string }) => entry.uid === uid).map((entry: { op: string }) => entry.op);

test('before the start: 400, nothing changed, nothing sent; after it: the attendee absent, BOOKING_NO_SHOW_UPDATED, and back', async () => {
  const guest = attendee('Ann Lee', 'ann.absent@example.com');
  const created = await client.v2('POST', '/bookings', { eventTypeId: 101, start: startAt(2), attendee: guest });
  const { uid, id } = created.body.data;
  receiver.received.length = 0;

  const early = await client.v2('POST', `/bookings/${uid}/mark-absent`, { attendees: [{ email: guest.email, absent: true }] });
  expect(early.status).toBe(400);
  expect(receiver.received).toEqual([]);

  clock.advance(2 * 86_400_000);
  const marked = await client.v2('POST', `/bookings/${uid}/mark-absent`, { attendees: [{ email: 'ANN.ABSENT@example.com', absent: true }] });
  expect(marked.status).toBe(200);
  assertValidResponse('POST', '/v2/bookings/{bookingUid}/mark-absent', 200, marked.body);
  expect(marked.body.data.attendees[0]).toMatchObject({ email: guest.email, absent: true });
  expect(receiver.received.map((webhook) => webhook.json)).toEqual([
    expect.objectContaining({
      triggerEvent: 'BOOKING_NO_SHOW_UPDATED',
      payload: { message: 'ANN.ABSENT@example.com marked as no-show', attendees: [{ email: 'ANN.ABSENT@example.com', noShow: true }], bookingUid: uid, bookingId: id },
    }),
  ]);

  // The same again changes nothing and sends nothing; the host flag alone changes the booking but sends nothing.
  receiver.received.length = 0;
  await client.v2('POST', `/bookings/${uid}/mark-absent`, { attendees: [{ email: guest.email, absent: true }] });
  const host = await client.v2('POST', `/bookings/${uid}/mark-absent`, { host: true });
  expect(host.body.data.absentHost).toBe(true);
  expect(receiver.received).toEqual([]);

  const back = await client.v2('POST', `/bookings/${uid}/mark-absent`, { attendees: [{ email: guest.email, absent: false }] });
  expect(back.body.data.attendees[0].absent).toBe(false);
  expect(receiver.received.map((webhook) => webhook.json.payload.attendees)).toEqual([[{ email: guest.email, noShow: false }]]);
  expect(await mutations(uid)).toEqual(['create', 'mark-absent', 'mark-absent', 'mark-absent']);
});

test('a body Cal.com would refuse is a 400; an unknown booking a 404', async () => {
  const created = await client.v2('POST', '/bookings', { eventTypeId: 101, start: startAt(5), attendee: attendee() });
  clock.advance(5 * 86_400_000);
  for (const body of [{ attendees: [{ email: 'ann@example.com' }] }, { attendees: 'all' }, { host: 'yes' }, { attendees: [null] }]) {
    expect((await client.v2('POST', `/bookings/${created.body.data.uid}/mark-absent`, body)).status).toBe(400);
  }
  expect((await client.v2('POST', '/bookings/nope/mark-absent', { host: true })).status).toBe(404);
});
