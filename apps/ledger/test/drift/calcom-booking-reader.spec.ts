import { CalcomError, type CalcomBooking, type CalcomBookingFilters, type CalcomBookingPage } from '#calcom';
import { CalcomBookingReader, type CalcomBookingsApi } from '../../src/drift/calcom-booking-reader.js';

/** A Cal.com that lists `total` bookings by offset, and fails the pages it is told to. */
function calcomListing(total: number, failing: (skip: number, call: number) => boolean) {
  const calls: CalcomBookingFilters[] = [];
  const api: CalcomBookingsApi = {
    async listBookings(filters: CalcomBookingFilters = {}): Promise<CalcomBookingPage> {
      calls.push(filters);
      const skip = filters.skip ?? 0;
      const take = filters.take ?? 100;
      if (failing(skip, calls.length)) {
        throw new CalcomError({
          code: 'CALCOM_SERVER_ERROR',
          kind: 'retryable',
          message: 'Internal server error.',
          status: 500,
          operation: 'listBookings',
          method: 'GET',
          path: '/v2/bookings',
        });
      }
      const bookings = Array.from({ length: Math.max(0, Math.min(take, total - skip)) }, (_, i) => booking(`u${skip + i}`));
      const hasNextPage = skip + take < total;
      return {
        bookings,
        pagination: {
          totalItems: total,
          remainingItems: Math.max(0, total - skip - take),
          returnedItems: bookings.length,
          itemsPerPage: take,
          currentPage: 1,
          totalPages: Math.ceil(total / take),
          hasNextPage,
          hasPreviousPage: skip > 0,
        },
      };
    },
    async getBooking(uid: string) {
      return booking(uid);
    },
  };
  return { api, calls };
}

const booking = (uid: string) =>
  ({
    uid,
    start: '2030-01-02T10:00:00.000Z',
    end: '2030-01-02T10:30:00.000Z',
    status: 'accepted',
    eventTypeId: 101,
    eventType: { id: 101, slug: 'c' },
    hosts: [{ id: 1 }],
    attendees: [{ name: 'Ada', email: 'ada@example.com', timeZone: 'UTC', absent: false }],
    metadata: { appointmentId: `a-${uid}` },
    updatedAt: '2029-12-01T00:00:00.000Z',
  }) as unknown as CalcomBooking;

const window = { from: '2030-01-01T00:00:00.000Z', to: '2030-04-01T00:00:00.000Z' };

describe('reading Cal.com for a drift check', () => {
  it('reads every page of 250 once, with the window and the sort the check asks for', async () => {
    const { api, calls } = calcomListing(1_001, () => false);
    const read = await new CalcomBookingReader(api).readWindow(window);
    expect(read.pages).toBe(5);
    expect(new Set(read.bookings.map((found) => found.uid)).size).toBe(1_001);
    expect(calls.map((call) => call.skip).sort((a, b) => a! - b!)).toEqual([0, 250, 500, 750, 1000]);
    expect(calls[0]).toMatchObject({ afterStart: window.from, beforeEnd: window.to, sortUpdatedAt: 'asc', take: 250 });
    expect(read.bookings[0]).toMatchObject({ uid: 'u0', hostUserId: 1, eventTypeId: 101, appointmentId: 'a-u0', attendee: { email: 'ada@example.com', phone: null } });
  });

  it('tries a failing page again and still returns every booking', async () => {
    const { api } = calcomListing(600, (skip, call) => skip === 250 && call < 4);
    const read = await new CalcomBookingReader(api, { concurrency: 1 }).readWindow(window);
    expect(read.bookings).toHaveLength(600);
  });

  it('fails the whole read when a page keeps failing: never half a list', async () => {
    const { api } = calcomListing(600, (skip) => skip === 500);
    await expect(new CalcomBookingReader(api, { attempts: 2 }).readWindow(window)).rejects.toMatchObject({ code: 'CALCOM_SERVER_ERROR' });
  });
});
