import { randomUUID } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import { type HostEventType, hostsCatalog, putHostsCatalog } from '../calcom-sync/ledger-with-sandbox.js';

export const STAFF = 12;
const DAYS = 5;
const PER_STAFF_PER_DAY = 5;
const FIRST_HOUR_UTC = 9;
const DAY_MS = 86_400_000;
const SYNC_TIMEOUT_MS = 180_000;

/** The seeded week: Monday to Friday, 12 staff, 5 appointments each a day (09:00 to 13:45 UTC, the salon's zone). */
export interface SeededWeek {
  /** The Monday, `YYYY-MM-DD`, as `/admin/?date=` takes it. */
  monday: string;
  appointments: number;
  /** Appointments on the Monday alone: what the day view of the first load draws. */
  onMonday: number;
}

export type LedgerCall = (method: string, path: string, body?: unknown) => Promise<unknown>;

const TREATMENT: HostEventType = { idOf: (userId) => 2_000 + userId, slug: 'treatment', title: 'Treatment', lengthInMinutes: 45 };

/** Twelve Cal.com hosts, one event type each: the sandbox the bench's ledger syncs with. */
export const WEEK_CATALOG = hostsCatalog(STAFF, TREATMENT);

/**
 * Fills a week more than a year ahead (nothing else of the run is there) through the API, as the desk would, and
 * waits until Cal.com has every booking: the measured pages then show settled badges and receive no live update.
 */
export async function seedWeek(call: LedgerCall, log: (line: string) => void): Promise<SeededWeek> {
  await putHostsCatalog(call, WEEK_CATALOG, 'treatment', TREATMENT);
  const mondayMs = mondayAfter(Date.now() + 400 * DAY_MS);
  const bookings = WEEK_CATALOG.users.flatMap((user) =>
    Array.from({ length: DAYS * PER_STAFF_PER_DAY }, (_, index) => ({
      staffId: user.username,
      startsAt: new Date(mondayMs + Math.floor(index / PER_STAFF_PER_DAY) * DAY_MS + (FIRST_HOUR_UTC + (index % PER_STAFF_PER_DAY)) * 3_600_000).toISOString(),
    })),
  );
  log(`ui: booking ${bookings.length} appointments over ${STAFF} staff through the API…`);
  const queue = [...bookings];
  const bookNext = async (): Promise<void> => {
    for (let booking = queue.shift(); booking; booking = queue.shift()) {
      const appointmentId = randomUUID();
      const customer = { name: `Client ${appointmentId.slice(0, 6)}`, email: `ui-${appointmentId.slice(0, 8)}@example.com`, timeZone: 'UTC' };
      await call('POST', '/appointments', { appointmentId, serviceId: 'treatment', ...booking, customer });
    }
  };
  await Promise.all(Array.from({ length: 4 }, bookNext));
  const week = { from: new Date(mondayMs).toISOString(), to: new Date(mondayMs + 7 * DAY_MS).toISOString() };
  const deadline = Date.now() + SYNC_TIMEOUT_MS;
  while ((await countSynced(call, week)) < bookings.length) {
    if (Date.now() > deadline) throw new Error(`Cal.com did not have all ${bookings.length} bookings within ${SYNC_TIMEOUT_MS} ms`);
    await delay(250);
  }
  return { monday: new Date(mondayMs).toISOString().slice(0, 10), appointments: bookings.length, onMonday: STAFF * PER_STAFF_PER_DAY };
}

async function countSynced(call: LedgerCall, week: { from: string; to: string }): Promise<number> {
  let synced = 0;
  let cursor: string | null = null;
  do {
    const query = new URLSearchParams({ ...week, syncStatus: 'synced', limit: '200', ...(cursor ? { cursor } : {}) });
    const page = (await call('GET', `/appointments?${query}`)) as { items: unknown[]; nextCursor: string | null };
    synced += page.items.length;
    cursor = page.nextCursor;
  } while (cursor);
  return synced;
}

function mondayAfter(ms: number): number {
  const day = Math.floor(ms / DAY_MS) * DAY_MS;
  const weekday = new Date(day).getUTCDay();
  return day + ((8 - weekday) % 7) * DAY_MS;
}
