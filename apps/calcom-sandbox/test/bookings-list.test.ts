import { startSandbox, type RunningSandbox } from '../src/index.js';
import { attendee, sandboxClient, startAt, testClock } from './support/sandbox-client.js';

/** GET /v2/bookings: every filter the ledger relies on, sorting, and the pagination object. */
let sandbox: RunningSandbox;
let client: ReturnType<typeof sandboxClient>;
const clock = testClock('2030-01-01T08:00:00.000Z');
const uids: Record<string, string> = {};

const list = async (query: string) => {
  const reply = await client.v2('GET', `/bookings?${query}`);
  expect(reply.status).toBe(200);
  return reply.body as { data: { uid: string }[]; pagination: Record<string, number | boolean> };
};
const uidsOf = (body: { data: { uid: string }[] }) => body.data.map((booking) => Object.keys(uids).find((name) => uids[name] === booking.uid));

beforeAll(async () => {
  sandbox = await startSandbox({ now: clock.now });
  client = sandboxClient(sandbox);
  const book = async (name: string, eventTypeId: number, start: string, who = attendee()) => {
    uids[name] = (await client.v2('POST', '/bookings', { eventTypeId, start, attendee: who })).body.data.uid;
    clock.advance(60_000);
  };
  await book('ann-day2', 101, startAt(2, '09:00'));
  await book('bo-day3', 102, startAt(3, '09:00'), attendee('Bo Ek', 'Bo@Example.com'));
  await book('ann-day4', 103, startAt(4, '09:00'));
  await book('cy-day1', 101, '2030-01-01T12:00:00.000Z', attendee('Cy', 'cy@example.com'));
  await client.v2('POST', `/bookings/${uids['bo-day3']}/cancel`, { cancellationReason: 'no' });
  clock.advance(60_000);
  clock.advance(24 * 3_600_000); // now 2030-01-02T08:05: cy-day1 is past
});
afterAll(() => sandbox.close());

test('without filters every booking is listed, soonest first', async () => {
  expect(uidsOf(await list(''))).toEqual(['cy-day1', 'ann-day2', 'bo-day3', 'ann-day4']);
});

test('status is relative to now and takes a comma list', async () => {
  expect(uidsOf(await list('status=upcoming'))).toEqual(['ann-day2', 'ann-day4']);
  expect(uidsOf(await list('status=past'))).toEqual(['cy-day1']);
  expect(uidsOf(await list('status=cancelled'))).toEqual(['bo-day3']);
  expect(uidsOf(await list('status=upcoming,cancelled'))).toEqual(['ann-day2', 'bo-day3', 'ann-day4']);
  expect(uidsOf(await list('status=unconfirmed'))).toEqual([]);
  expect((await client.v2('GET', '/bookings?status=soon')).status).toBe(400);
});

test('attendeeEmail (case-insensitive), eventTypeId and eventTypeIds filter', async () => {
  expect(uidsOf(await list('attendeeEmail=bo@example.com'))).toEqual(['bo-day3']);
  expect(uidsOf(await list('eventTypeId=101'))).toEqual(['cy-day1', 'ann-day2']);
  expect(uidsOf(await list('eventTypeIds=102,103'))).toEqual(['bo-day3', 'ann-day4']);
});

test('afterStart and beforeEnd are inclusive bounds on the booking times', async () => {
  expect(uidsOf(await list(`afterStart=${startAt(3, '09:00')}`))).toEqual(['bo-day3', 'ann-day4']);
  expect(uidsOf(await list(`beforeEnd=${startAt(2, '09:30')}`))).toEqual(['cy-day1', 'ann-day2']);
  expect(uidsOf(await list(`afterStart=${startAt(2, '00:00')}&beforeEnd=${startAt(3, '23:00')}`))).toEqual(['ann-day2', 'bo-day3']);
  expect((await client.v2('GET', '/bookings?afterStart=yesterday')).status).toBe(400);
});

test('afterUpdatedAt (inclusive) with sortUpdatedAt reads changes in the order they happened; the cancel came last', async () => {
  expect(uidsOf(await list('afterUpdatedAt=2030-01-01T08:02:00.000Z&sortUpdatedAt=asc'))).toEqual(['ann-day4', 'cy-day1', 'bo-day3']);
  expect(uidsOf(await list('sortUpdatedAt=desc'))).toEqual(['bo-day3', 'cy-day1', 'ann-day4', 'ann-day2']);
});

test('sortStart=desc reverses the order', async () => {
  expect(uidsOf(await list('sortStart=desc'))).toEqual(['ann-day4', 'bo-day3', 'ann-day2', 'cy-day1']);
});

test('take and skip page through, with the pagination object Cal.com computes', async () => {
  const first = await list('take=3&skip=0');
  expect(uidsOf(first)).toEqual(['cy-day1', 'ann-day2', 'bo-day3']);
  expect(first.pagination).toEqual({
    totalItems: 4,
    remainingItems: 1,
    returnedItems: 3,
    itemsPerPage: 3,
    currentPage: 1,
    totalPages: 2,
    hasNextPage: true,
    hasPreviousPage: false,
  });
  const second = await list('take=3&skip=3');
  expect(uidsOf(second)).toEqual(['ann-day4']);
  expect(second.pagination).toMatchObject({ remainingItems: 0, returnedItems: 1, currentPage: 2, hasNextPage: false, hasPreviousPage: true });
});

test('take defaults to 100 and may not exceed 250', async () => {
  expect((await list('')).pagination.itemsPerPage).toBe(100);
  expect((await list('take=250')).pagination.itemsPerPage).toBe(250);
  const tooMany = await client.v2('GET', '/bookings?take=251');
  expect(tooMany.status).toBe(400);
  expect(tooMany.body.error.message).toBe('take must not be greater than 250');
});
