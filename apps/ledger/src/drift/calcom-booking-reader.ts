import { setTimeout as delay } from 'node:timers/promises';
import { type CalcomClient, isCalcomError, type CalcomBooking, type CalcomBookingFilters, type CalcomBookingPage } from '#calcom';
import type { CalcomBookingLevel, DriftWindow } from '#domain';
import { bookingCopy } from '../calcom-sync/calcom-booking.copy.js';

/** The part of the Cal.com client a drift check reads with: lists and single bookings, never a change. */
export type CalcomBookingsApi = Pick<CalcomClient, 'listBookings' | 'getBooking'>;

export interface BookingRead {
  bookings: CalcomBookingLevel[];
  pages: number;
}

export interface BookingReaderOptions {
  /** Cal.com's maximum page size is 250. */
  pageSize?: number;
  /** Pages read at once after the first one told how many there are. */
  concurrency?: number;
  /** Attempts per page for errors Cal.com says are worth repeating (5xx, timeouts, 429). */
  attempts?: number;
}

/**
 * Reads Cal.com's side of a drift check. A page that keeps failing fails the whole read: a half-read list must never
 * be compared, or every booking on the missing pages would look gone.
 */
export class CalcomBookingReader {
  private readonly pageSize: number;
  private readonly concurrency: number;
  private readonly attempts: number;

  constructor(
    private readonly api: CalcomBookingsApi,
    options: BookingReaderOptions = {},
  ) {
    this.pageSize = options.pageSize ?? 250;
    this.concurrency = options.concurrency ?? 4;
    this.attempts = options.attempts ?? 3;
  }

  /** Every booking wholly inside the window, whatever its status (cancelled ones carry the reschedule links). */
  readWindow(window: DriftWindow): Promise<BookingRead> {
    return this.readAll({ afterStart: window.from, beforeEnd: window.to, sortUpdatedAt: 'asc' });
  }

  /** Bookings Cal.com changed since `since` (inclusive), oldest change first: an incremental check. */
  readUpdatedSince(since: string): Promise<BookingRead> {
    return this.readAll({ afterUpdatedAt: since, sortUpdatedAt: 'asc' });
  }

  /** Bookings by uid, one call each; a uid Cal.com does not know is left out. */
  async readByUids(uids: readonly string[]): Promise<CalcomBookingLevel[]> {
    const found: CalcomBookingLevel[] = [];
    for (const uid of uids) {
      const booking = await this.withRetries(() => this.api.getBooking(uid)).catch((error: unknown) => {
        if (isCalcomError(error) && error.code === 'CALCOM_NOT_FOUND') return null;
        throw error;
      });
      if (booking) found.push(toBookingLevel(booking));
    }
    return found;
  }

  private async readAll(filters: CalcomBookingFilters): Promise<BookingRead> {
    const page = (skip: number) => this.withRetries(() => this.api.listBookings({ ...filters, take: this.pageSize, skip }));
    const first = await page(0);
    const pages: CalcomBookingPage[] = [first];
    const offsets: number[] = [];
    for (let skip = this.pageSize; skip < first.pagination.totalItems; skip += this.pageSize) offsets.push(skip);
    for (let start = 0; start < offsets.length; start += this.concurrency) {
      pages.push(...(await Promise.all(offsets.slice(start, start + this.concurrency).map(page))));
    }
    // Bookings added while reading push the total up: carry on until Cal.com says there is nothing after.
    let skip = this.pageSize * pages.length;
    while (pages.at(-1)!.pagination.hasNextPage && pages.at(-1)!.bookings.length > 0) {
      pages.push(await page(skip));
      skip += this.pageSize;
    }
    const byUid = new Map<string, CalcomBookingLevel>();
    for (const { bookings } of pages) for (const booking of bookings) byUid.set(booking.uid, toBookingLevel(booking));
    return { bookings: [...byUid.values()], pages: pages.length };
  }

  private async withRetries<T>(call: () => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await call();
      } catch (error) {
        if (!isCalcomError(error) || !error.retryable || attempt >= this.attempts) throw error;
        await delay(error.retryAfterMs ?? 100 * 2 ** attempt);
      }
    }
  }
}

export function toBookingLevel(booking: CalcomBooking): CalcomBookingLevel {
  const attendee = booking.attendees?.[0];
  const appointmentId = booking.metadata?.appointmentId;
  return {
    ...bookingCopy(booking),
    appointmentId: typeof appointmentId === 'string' ? appointmentId : null,
    attendee: attendee ? { name: attendee.name, email: attendee.email, timeZone: attendee.timeZone, phone: attendee.phoneNumber ?? null } : null,
    updatedAt: booking.updatedAt,
  };
}
