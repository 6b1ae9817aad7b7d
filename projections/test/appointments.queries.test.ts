import { appointmentStream, ValidationFailedError } from '#domain';
import { START } from '#event-store';
import { AppointmentsQueries, type AppointmentSummary } from '../src/appointments/appointments.queries.js';
import { newEvent } from './ledger-history.js';
import { openTestLedger, projectInBatches, readModelEvents, type TestLedger } from './read-model.fixture.js';

let ledger: TestLedger;
let queries: AppointmentsQueries;
let lastPosition = START;

const at = (time: string) => `2030-01-01T${time}:00.000Z`;

async function schedule(appointmentId: string, staffId: string, startsAt: string, endsAt: string): Promise<void> {
  const customer = { name: appointmentId, email: `${appointmentId}@mail.test`, timeZone: 'UTC', phone: null };
  const data = { appointmentId, serviceId: 'cut', staffId, startsAt, endsAt, customer, notes: null };
  ({ position: lastPosition } = await ledger.store.appendToStream(appointmentStream(appointmentId), [newEvent('AppointmentScheduled', data)]));
}

async function cancel(appointmentId: string): Promise<void> {
  const cancelled = newEvent('AppointmentCancelled', { appointmentId, reason: 'test' });
  ({ position: lastPosition } = await ledger.store.appendToStream(appointmentStream(appointmentId), [cancelled]));
}

beforeAll(async () => {
  ledger = await openTestLedger();
  queries = new AppointmentsQueries(ledger.readModel);
  // The overlap cases.
  await schedule('a-ana-1000', 'ana', at('10:00'), at('10:30'));
  await schedule('c-ana-1100', 'ana', at('11:00'), at('12:00'));
  await cancel('c-ana-1100');
  await schedule('b-ben-1000', 'ben', at('10:00'), at('11:00'));
  // 60 more on the next day, five to a start time, so paging has to break ties by id.
  for (let index = 0; index < 60; index++) {
    const start = new Date(Date.parse('2030-01-02T08:00:00Z') + Math.floor(index / 5) * 3_600_000);
    const id = `p-${String(59 - index).padStart(2, '0')}`;
    await schedule(id, index % 2 ? 'ana' : 'ben', start.toISOString(), new Date(start.getTime() + 1_800_000).toISOString());
    if (index % 7 === 0) await cancel(id);
  }
  await projectInBatches(ledger.readModel, (await readModelEvents(ledger.store, lastPosition)).events, 100);
});

afterAll(() => ledger?.close());

async function allPages(filter: Parameters<AppointmentsQueries['list']>[0], limit: number): Promise<AppointmentSummary[][]> {
  const pages: AppointmentSummary[][] = [];
  let cursor: string | undefined;
  do {
    const page = await queries.list({ ...filter, limit, cursor });
    pages.push(page.items);
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  return pages;
}

const ids = (items: AppointmentSummary[]) => items.map(({ appointmentId }) => appointmentId);
const sortedByStartThenId = (items: AppointmentSummary[]) => [...items].sort((a, b) => a.startsAt.localeCompare(b.startsAt) || a.appointmentId.localeCompare(b.appointmentId));

describe('list', () => {
  test('orders by start, then id, and gives 50 by default with a cursor to the rest', async () => {
    const first = await queries.list();
    expect(first.items).toHaveLength(50);
    expect(ids(first.items)).toEqual(ids(sortedByStartThenId(first.items)));
    expect(ids(first.items).slice(0, 3)).toEqual(['a-ana-1000', 'b-ben-1000', 'c-ana-1100']);
    const second = await queries.list({ cursor: first.nextCursor! });
    expect(second.items).toHaveLength(13);
    expect(second.nextCursor).toBeNull();
  });

  test('paging with a cursor visits every row once, in order, across ties in start time', async () => {
    const everything = (await queries.list({ limit: 200 })).items;
    for (const limit of [1, 4, 5, 7, 63]) {
      const pages = await allPages({}, limit);
      expect(ids(pages.flat())).toEqual(ids(everything));
      expect(pages.every((page) => page.length > 0 && page.length <= limit)).toBe(true);
    }
    // A page that ends exactly on the last row has no next cursor, rather than an empty page after it.
    expect(await allPages({}, 63)).toHaveLength(1);
  });

  test('filters by status and staff, and pages within the filter', async () => {
    const everything = (await queries.list({ limit: 200 })).items;
    const expected = everything.filter((item) => item.status === 'scheduled' && item.staffId === 'ana');
    expect(expected.length).toBeGreaterThan(10);
    const pages = await allPages({ status: 'scheduled', staffId: 'ana' }, 4);
    expect(ids(pages.flat())).toEqual(ids(expected));
    expect(ids((await queries.list({ status: 'cancelled', limit: 200 })).items)).toEqual(ids(everything.filter((item) => item.status === 'cancelled')));
  });

  test('from/to select appointments overlapping the window; touching ends are outside', async () => {
    const window = async (from: string, to: string) => ids((await queries.list({ from, to })).items);
    expect(await window(at('10:30'), at('11:00'))).toEqual(['b-ben-1000']);
    expect(await window(at('09:00'), at('10:00'))).toEqual([]);
    expect(await window(at('10:29'), at('10:31'))).toEqual(['a-ana-1000', 'b-ben-1000']);
    expect(await window(at('11:59'), '2030-01-02T08:00:00Z')).toEqual(['c-ana-1100']);
    expect(ids((await queries.list({ from: '2030-01-02T18:00:00+01:00', limit: 200 })).items)).toHaveLength(15);
  });

  test('a malformed cursor or an out-of-range limit is a validation failure, not a crash', async () => {
    await expect(queries.list({ cursor: 'not-a-cursor' })).rejects.toBeInstanceOf(ValidationFailedError);
    await expect(queries.list({ cursor: Buffer.from('["x","y"]').toString('base64url') })).rejects.toBeInstanceOf(ValidationFailedError);
    await expect(queries.list({ limit: 0 })).rejects.toBeInstanceOf(ValidationFailedError);
    await expect(queries.list({ limit: 201 })).rejects.toBeInstanceOf(ValidationFailedError);
    expect((await queries.list({ limit: 200 })).items).toHaveLength(63);
  });
});

describe('overlappingActive', () => {
  test('finds a scheduled appointment of the staff member overlapping the interval', async () => {
    expect(await queries.overlappingActive('ana', at('09:59'), at('10:01'), 'other')).toEqual(['a-ana-1000']);
    expect(await queries.overlappingActive('ana', '2030-01-01T11:15:00+01:00', '2030-01-01T11:20:00+01:00', 'other')).toEqual(['a-ana-1000']);
  });

  test('touching intervals do not overlap', async () => {
    expect(await queries.overlappingActive('ana', at('09:30'), at('10:00'), 'other')).toEqual([]);
    expect(await queries.overlappingActive('ana', at('10:30'), at('10:45'), 'other')).toEqual([]);
  });

  test('cancelled appointments and other staff members do not count', async () => {
    expect(await queries.overlappingActive('ana', at('09:00'), at('13:00'), 'other')).toEqual(['a-ana-1000']);
    expect(await queries.overlappingActive('ben', at('10:30'), at('12:00'), 'other')).toEqual(['b-ben-1000']);
  });

  test('the appointment itself is left out', async () => {
    expect(await queries.overlappingActive('ana', at('10:00'), at('10:30'), 'a-ana-1000')).toEqual([]);
    expect(await queries.overlappingActive('ana', at('10:00'), at('10:30'))).toEqual(['a-ana-1000']);
  });
});

test('get returns null for an unknown appointment', async () => {
  expect(await queries.get('nope')).toBeNull();
});

test('a summary shows times as toISOString gives them (UTC, milliseconds cut, not rounded), in the list and from get', async () => {
  await schedule('z-sub-ms', 'cy', '2030-01-05T10:00:00.9999+01:00', '2030-01-05T10:30:00.1234567Z');
  await projectInBatches(ledger.readModel, (await readModelEvents(ledger.store, lastPosition)).events, 100);
  const listed = (await queries.list({ staffId: 'cy' })).items;
  expect(listed).toEqual([
    {
      appointmentId: 'z-sub-ms',
      status: 'scheduled',
      startsAt: '2030-01-05T09:00:00.999Z',
      endsAt: '2030-01-05T10:30:00.123Z',
      staffId: 'cy',
      serviceId: 'cut',
      customer: { name: 'z-sub-ms', email: 'z-sub-ms@mail.test', timeZone: 'UTC', phone: null },
      notes: null,
      cancellationReason: null,
      version: 1,
      createdAt: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/),
      updatedAt: listed[0].createdAt,
    },
  ]);
  expect(await queries.get('z-sub-ms')).toEqual(listed[0]);
  expect(await queries.overlappingActive('cy', '2030-01-05T10:29:59.999Z', '2030-01-05T11:00:00Z')).toEqual(['z-sub-ms']);
});
