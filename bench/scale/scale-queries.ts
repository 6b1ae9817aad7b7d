import type pg from 'pg';
import { AppointmentTimeline } from '../workload/appointment-timeline.js';

/** What the admin UI asks, each timed as one HTTP round trip (the week: every page of it, as the calendar fetches it). */
export const SCALE_QUERY_NAMES = [
  'list, first page',
  'list, staff + status',
  'list, service + month',
  'list, search by email',
  'list, sync status',
  'list, deep cursor page',
  'week, 12 staff (all pages)',
  'one appointment, asOf',
  'history',
] as const;
export type ScaleQueryName = (typeof SCALE_QUERY_NAMES)[number];

/** One appointment the queries look at, picked at random from the read model (not timed). */
interface Sample {
  appointmentId: string;
  staffId: string;
  serviceId: string;
  email: string;
  /** When its stream's first event was recorded: `asOf` shows it as it was booked. */
  bookedAt: string;
}

/** Each query, given the round it is in (so that rounds look at different appointments and staff). */
export type ScaleQueries = Record<ScaleQueryName, (round: number) => Promise<number>>;

const DAY_MS = 86_400_000;
const SAMPLES = 50;

/**
 * The queries over HTTP against a ledger that holds the grown database. `today` is the day the latest booking was
 * made on: the week is the last full one before it, the month and the deep cursor sit halfway back in time.
 */
export async function scaleQueries(ledgerUrl: string, token: string, pool: pg.Pool, today: number): Promise<ScaleQueries> {
  const get = getter(ledgerUrl, token);
  const samples = await pickSamples(pool);
  const sample = (round: number) => samples[round % samples.length];
  const middle = AppointmentTimeline.dayStart(Math.floor(today / 2));
  const iso = (date: Date, days = 0) => new Date(date.getTime() + days * DAY_MS).toISOString();
  const weekFrom = AppointmentTimeline.dayStart(today - 7);
  // A deep page is reached by following cursors; a cursor from a listing that starts halfway back is the same keyset.
  const deepCursors = await Promise.all(
    samples.map(async ({ staffId }) => {
      const page = await get(`/appointments?${new URLSearchParams({ staffId, status: 'scheduled', from: iso(middle), limit: '50' })}`);
      // A ledger too small for a second page (a few hundred appointments) has no cursor: its deep page is the first.
      return page.nextCursor as string | null;
    }),
  );
  const list = async (filters: Record<string, string>) => (await get(`/appointments?${new URLSearchParams({ limit: '50', ...filters })}`)).items.length as number;
  return {
    'list, first page': () => list({}),
    'list, staff + status': (round) => list({ staffId: sample(round).staffId, status: 'scheduled' }),
    'list, service + month': (round) => list({ serviceId: sample(round).serviceId, from: iso(middle), to: iso(middle, 30) }),
    'list, search by email': (round) => list({ search: sample(round).email }),
    'list, sync status': () => list({ syncStatus: 'pending' }),
    'list, deep cursor page': (round) => {
      const cursor = deepCursors[round % deepCursors.length];
      return list({ staffId: sample(round).staffId, status: 'scheduled', ...(cursor ? { cursor } : {}) });
    },
    'week, 12 staff (all pages)': async () => {
      let rows = 0;
      let cursor: string | null = null;
      do {
        const filters: Record<string, string> = { from: iso(weekFrom), to: iso(weekFrom, 7), limit: '200', ...(cursor ? { cursor } : {}) };
        const page = await get(`/appointments?${new URLSearchParams(filters)}`);
        rows += page.items.length;
        cursor = page.nextCursor;
      } while (cursor);
      return rows;
    },
    'one appointment, asOf': async (round) => {
      const { appointmentId, bookedAt } = sample(round);
      await get(`/appointments/${appointmentId}?${new URLSearchParams({ asOf: bookedAt })}`);
      return 1;
    },
    history: async (round) => (await get(`/appointments/${sample(round).appointmentId}/history`)).events.length,
  };
}

async function pickSamples(pool: pg.Pool): Promise<Sample[]> {
  const { rows } = await pool.query<Sample>(
    `SELECT a.appointment_id AS "appointmentId", a.staff_id AS "staffId", a.service_id AS "serviceId", a.customer->>'email' AS email,
            (SELECT to_json(e.recorded_at) #>> '{}' FROM events e WHERE e.stream_name = 'appointment-' || a.appointment_id AND e.revision = 0) AS "bookedAt"
       FROM appointments a ORDER BY random() LIMIT $1`,
    [SAMPLES],
  );
  return rows;
}

/** The bench reads a few fields of the API's answers. */
type Answer = any;

function getter(ledgerUrl: string, token: string): (path: string) => Promise<Answer> {
  return async (path) => {
    const response = await fetch(`${ledgerUrl}${path}`, { headers: { authorization: `Bearer ${token}` } });
    const body = await response.text();
    if (response.status !== 200) throw new Error(`GET ${path} answered ${response.status}: ${body.slice(0, 500)}`);
    return JSON.parse(body);
  };
}
