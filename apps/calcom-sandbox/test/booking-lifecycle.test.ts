import { attendee, type SandboxClient, startAt, testClock } from './support/sandbox-client.js';
import { type SandboxUnderTest, startSandboxUnderTest } from './support/sandbox-under-test.js';

/** Reschedule (the uid chain), cancel and reassign through the API, with Cal.com's rules and messages. */
let started: SandboxUnderTest;
let client: SandboxClient;
const clock = testClock('2030-01-01T08:00:00.000Z');

beforeAll(async () => {
  started = await startSandboxUnderTest({ now: clock.now });
  ({ client } = started);
});
beforeEach(() => started.reset());
afterAll(() => started?.close());

const book = async (eventTypeId: number, start: string, who = attendee()) =>
  (await client.v2('POST', '/bookings', { eventTypeId, start, attendee: who, metadata: { ledgerAppointmentId: 'a-7' } })).body.data;
const get = async (uid: string) => (await client.v2('GET', `/bookings/${uid}`)).body.data;

describe('reschedule', () => {
  test('makes a new booking with a new uid; the old one is cancelled and points to it', async () => {
    const original = await book(101, startAt(2, '09:00'));
    clock.advance(1_000);
    const reply = await client.v2('POST', `/bookings/${original.uid}/reschedule`, {
      start: startAt(3, '14:00'),
      rescheduledBy: 'ann@example.com',
      reschedulingReason: 'Clash',
    });
    expect(reply.status).toBe(201);
    const moved = reply.body.data;
    expect(moved.uid).not.toBe(original.uid);
    expect(moved.id).not.toBe(original.id);
    expect(moved).toMatchObject({
      status: 'accepted',
      rescheduledFromUid: original.uid,
      rescheduledByEmail: 'ann@example.com',
      start: '2030-01-03T14:00:00.000Z',
      end: '2030-01-03T14:30:00.000Z',
      eventType: original.eventType,
      attendees: original.attendees,
      metadata: { ledgerAppointmentId: 'a-7' },
    });
    expect(await get(original.uid)).toMatchObject({
      status: 'cancelled',
      rescheduledToUid: moved.uid,
      rescheduledByEmail: 'ann@example.com',
      updatedAt: '2030-01-01T08:00:01.000Z',
    });
  });

  test('rescheduling the old uid again is a 400 that names the new uid', async () => {
    const original = await book(101, startAt(2));
    const moved = (await client.v2('POST', `/bookings/${original.uid}/reschedule`, { start: startAt(3) })).body.data;
    const again = await client.v2('POST', `/bookings/${original.uid}/reschedule`, { start: startAt(4) });
    expect(again.status).toBe(400);
    expect(again.body.error.message).toBe(
      `Can't reschedule booking with uid=${original.uid} because it has been cancelled and rescheduled already to booking with uid=${moved.uid}. You probably want to reschedule ${moved.uid} instead by passing it within the request URL.`,
    );
  });

  test('a chain A → B → C links each booking to the next one only', async () => {
    const a = await book(101, startAt(2));
    const b = (await client.v2('POST', `/bookings/${a.uid}/reschedule`, { start: startAt(3) })).body.data;
    const c = (await client.v2('POST', `/bookings/${b.uid}/reschedule`, { start: startAt(4) })).body.data;
    expect((await get(a.uid)).rescheduledToUid).toBe(b.uid);
    expect(await get(b.uid)).toMatchObject({ status: 'cancelled', rescheduledFromUid: a.uid, rescheduledToUid: c.uid });
    expect(await get(c.uid)).toMatchObject({ status: 'accepted', rescheduledFromUid: b.uid });
    expect((await get(c.uid)).rescheduledToUid).toBeUndefined();
  });

  test("resets the length to the event type's, even when the booking had another one", async () => {
    const original = await book(102, startAt(2, '09:00'));
    await client.lever('PATCH', `/bookings/${original.uid}`, { end: startAt(2, '09:20') });
    const moved = (await client.v2('POST', `/bookings/${original.uid}/reschedule`, { start: startAt(2, '15:00') })).body.data;
    expect(moved).toMatchObject({ start: '2030-01-02T15:00:00.000Z', end: '2030-01-02T16:00:00.000Z', duration: 60 });
  });

  test('may overlap the slot it leaves but not another booking, nor start in the past', async () => {
    const original = await book(101, startAt(2, '09:00'));
    await book(101, startAt(2, '11:00'), attendee('Bo', 'bo@example.com'));
    const intoOwnSlot = await client.v2('POST', `/bookings/${original.uid}/reschedule`, { start: startAt(2, '09:15') });
    expect(intoOwnSlot.status).toBe(201);
    const intoOther = await client.v2('POST', `/bookings/${intoOwnSlot.body.data.uid}/reschedule`, { start: startAt(2, '10:45') });
    expect(intoOther.status).toBe(400);
    expect(intoOther.body.error.message).toBe('User either already has booking at this time or is not available');
    const intoPast = await client.v2('POST', `/bookings/${intoOwnSlot.body.data.uid}/reschedule`, { start: '2029-12-30T10:00:00.000Z' });
    expect(intoPast.body.error.message).toBe('Attempting to book a meeting in the past.');
  });

  test('of a cancelled booking is a 400; of an unknown uid a 500, as Cal.com answers', async () => {
    const original = await book(101, startAt(2));
    await client.v2('POST', `/bookings/${original.uid}/cancel`, { cancellationReason: 'x' });
    const cancelled = await client.v2('POST', `/bookings/${original.uid}/reschedule`, { start: startAt(3) });
    expect(cancelled.status).toBe(400);
    expect(cancelled.body.error.message).toBe(
      `Can't reschedule booking with uid=${original.uid} because it has been cancelled. Please provide uid of a booking that is not cancelled.`,
    );
    const unknown = await client.v2('POST', '/bookings/unknownUid/reschedule', { start: startAt(3) });
    expect(unknown.status).toBe(500);
    expect(unknown.body.error).toEqual({ code: 'INTERNAL_SERVER_ERROR', message: 'Internal server error.' });
  });
});

describe('cancel', () => {
  test('cancels with the reason and who cancelled; a second cancel is a 400', async () => {
    const booking = await book(101, startAt(2));
    clock.advance(5_000);
    const reply = await client.v2('POST', `/bookings/${booking.uid}/cancel`, { cancellationReason: 'Ill' });
    expect(reply.status).toBe(200);
    expect(reply.body.data).toMatchObject({ uid: booking.uid, status: 'cancelled', cancellationReason: 'Ill', cancelledByEmail: 'olivia@sandbox.example' });
    expect(reply.body.data.updatedAt).toBe(clock.now().toISOString());
    const again = await client.v2('POST', `/bookings/${booking.uid}/cancel`, { cancellationReason: 'Ill' });
    expect(again.status).toBe(400);
    expect(again.body.error.message).toBe(
      `Can't cancel booking with uid=${booking.uid} because it has been cancelled already. Please provide uid of a booking that is not cancelled.`,
    );
  });

  test('the host (the API key owner) must give a reason; for another host it is optional', async () => {
    const own = await book(101, startAt(2));
    const noReason = await client.v2('POST', `/bookings/${own.uid}/cancel`, {});
    expect(noReason.status).toBe(400);
    expect(noReason.body.error.message).toBe('Cancellation reason is required when you are the host');
    const roundRobin = await book(103, startAt(2));
    expect((await client.v2('POST', `/bookings/${roundRobin.uid}/cancel`, {})).status).toBe(200);
  });

  test('an unknown uid is a 404', async () => {
    const reply = await client.v2('POST', '/bookings/unknownUid/cancel', { cancellationReason: 'x' });
    expect(reply.status).toBe(404);
    expect(reply.body.error.message).toBe('Booking with uid=unknownUid not found');
  });
});

describe('reassign', () => {
  test('round-robin: another free host, in place (same id and uid)', async () => {
    const booking = await book(103, startAt(2));
    clock.advance(1_000);
    const reply = await client.v2('POST', `/bookings/${booking.uid}/reassign`);
    expect(reply.status).toBe(200);
    const newHost = booking.hosts[0].id === 2 ? { id: 3, name: 'Rita Host', email: 'rita@sandbox.example' } : { id: 2, name: 'Hugo Host', email: 'hugo@sandbox.example' };
    expect(reply.body.data).toEqual({ bookingUid: booking.uid, reassignedTo: newHost });
    const after = await get(booking.uid);
    expect(after).toMatchObject({ id: booking.id, uid: booking.uid, status: 'accepted', hosts: [{ id: newHost.id }], title: `Team Session between ${newHost.name} and Ann Lee` });
    expect(after.updatedAt).toBe(clock.now().toISOString());
  });

  test('round-robin with no other free host is a 400', async () => {
    const first = await book(103, startAt(2));
    await book(103, startAt(2), attendee('Bo', 'bo@example.com'));
    const reply = await client.v2('POST', `/bookings/${first.uid}/reassign`);
    expect(reply.status).toBe(400);
    expect(reply.body.error.message).toBe("Can't reassign the booking because no other host is available at that time.");
  });

  test('to a named round-robin host works; to a non-host or for a non-round-robin booking it is a 400', async () => {
    const roundRobin = await book(103, startAt(2));
    const target = roundRobin.hosts[0].id === 2 ? 3 : 2;
    expect((await client.v2('POST', `/bookings/${roundRobin.uid}/reassign/${target}`, { reason: 'cover' })).body.data.reassignedTo.id).toBe(target);
    const notAHost = await client.v2('POST', `/bookings/${roundRobin.uid}/reassign/1`, {});
    expect(notAHost.status).toBe(400);
    expect(notAHost.body.error.message).toMatch(/^User with id=1 is not a valid Round Robin host/);
    const personal = await book(101, startAt(3));
    expect((await client.v2('POST', `/bookings/${personal.uid}/reassign/2`, {})).status).toBe(400);
    const auto = await client.v2('POST', `/bookings/${personal.uid}/reassign`);
    expect(auto.status).toBe(400);
    expect((await get(personal.uid)).hosts[0].id).toBe(1);
    expect((await client.v2('POST', `/bookings/${roundRobin.uid}/reassign/99`, {})).status).toBe(404);
  });
});
