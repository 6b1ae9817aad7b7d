import { randomUUID } from 'node:crypto';
import { eventually } from './eventually.js';
import type { LedgerClient } from './ledger-client.js';
import { slot } from './calcom-sandbox-customer.js';

export interface DriftItemBody {
  id: string;
  kind: string;
  appointmentId: string | null;
  bookingUid: string | null;
  ledger: Record<string, any> | null;
  calcom: Record<string, any> | null;
  detectedAt: string;
}

export interface BookingBody {
  uid: string;
  status: string;
  start: string;
  end: string;
  eventTypeId: number;
  hosts: { id: number }[];
  rescheduledToUid?: string;
}

/** Drives a ledger that syncs with the in-process sandbox: appointments in step, silent changes on Cal.com, checks. */
export function driftScenario(admin: LedgerClient, sandboxUrl: string) {
  async function sandbox<T = any>(method: string, path: string, body?: unknown): Promise<T> {
    const response = await fetch(`${sandboxUrl}${path}`, {
      method,
      headers: { 'content-type': 'application/json', authorization: 'Bearer cal_sandbox_key', 'cal-api-version': '2024-08-13' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    if (!response.ok) throw new Error(`sandbox ${method} ${path}: ${response.status} ${text}`);
    return (text ? JSON.parse(text) : undefined) as T;
  }

  let slots = 0;

  const scenario = {
    /** The next free hour-long slot, so no two appointments of a test file collide on a host. */
    nextSlot: (): string => slot(10 + slots++),

    /** Schedules through the API and waits until the sync has the booking on Cal.com. */
    async synced(staffId: string, serviceId: string): Promise<{ appointmentId: string; uid: string; startsAt: string }> {
      const appointmentId = randomUUID();
      const startsAt = scenario.nextSlot();
      const created = await admin.post('/appointments', {
        appointmentId,
        staffId,
        serviceId,
        startsAt,
        customer: { name: 'Ada Lovelace', email: `${appointmentId.slice(0, 8)}@example.com`, timeZone: 'Europe/London' },
      });
      if (created.status !== 201) throw new Error(`schedule: ${created.status} ${JSON.stringify(created.body)}`);
      const uid = await scenario.whenSynced(appointmentId);
      return { appointmentId, uid, startsAt };
    },

    /** Waits until the appointment is `synced` and returns its current booking uid. */
    async whenSynced(appointmentId: string, check: (appointment: any) => void = () => undefined): Promise<string> {
      return eventually(async () => {
        const { body } = await admin.get(`/appointments/${appointmentId}`);
        expect(body.calcom).toMatchObject({ syncStatus: 'synced', bookingUid: expect.any(String) });
        check(body);
        return body.calcom.bookingUid as string;
      }, 15_000);
    },

    booking: (uid: string) => sandbox<{ data: BookingBody }>('GET', `/v2/bookings/${uid}`).then((answer) => answer.data),
    /** A change on Cal.com that sends no webhook: what a lost webhook looks like. */
    silentEdit: (uid: string, edit: Record<string, unknown>) => sandbox('PATCH', `/_sandbox/bookings/${uid}`, edit),
    silentDelete: (uid: string) => sandbox('DELETE', `/_sandbox/bookings/${uid}`),
    faults: (faults: Record<string, unknown>) => sandbox('PUT', '/_sandbox/faults', faults),
    state: () => sandbox<{ mutations: { op: string; uid: string; via: string; rescheduledFromUid?: string }[] }>('GET', '/_sandbox/state'),
    /** The customer acts on Cal.com while every webhook is lost. */
    async withWebhooksLost<T>(act: () => Promise<T>): Promise<T> {
      await scenario.faults({ webhookDropRate: 1 });
      try {
        return await act();
      } finally {
        await scenario.faults({});
      }
    },
    customerBooks: (eventTypeId: number, start: string) =>
      sandbox<{ uid: string }>('POST', '/_sandbox/bookings', { eventTypeId, start, attendee: { name: 'Walk In', email: 'walk.in@example.com', timeZone: 'UTC' } }),
    customerReschedules: (uid: string, start: string) => sandbox<{ uid: string }>('POST', `/_sandbox/bookings/${uid}/reschedule`, { start }),
    setCatalog: (catalog: unknown) => sandbox('PUT', '/_sandbox/catalog', catalog),
    getCatalog: () => sandbox('GET', '/_sandbox/catalog'),

    /** Runs a full check through the API; returns the report. */
    async check(mode: 'full' | 'incremental' = 'full'): Promise<{ items: DriftItemBody[]; [key: string]: any }> {
      const response = await admin.post('/drift/check', { mode });
      if (response.status !== 200) throw new Error(`check: ${response.status} ${JSON.stringify(response.body)}`);
      return { ...response.body.report, healing: response.body.healing };
    },

    /** The report's items about one appointment or booking. */
    itemsOf: (report: { items: DriftItemBody[] }, key: string): DriftItemBody[] => report.items.filter((item) => item.appointmentId === key || item.bookingUid === key),

    /** Checks until the appointment or booking has exactly these kinds of item (pending work settles in between). */
    async kindsOf(key: string, kinds: string[]): Promise<DriftItemBody[]> {
      return eventually(
        async () => {
          const items = scenario.itemsOf(await scenario.check(), key);
          expect(items.map((item) => item.kind).sort()).toEqual([...kinds].sort());
          return items;
        },
        15_000,
        100,
      );
    },

    async heal(itemId: string, keep: 'ledger' | 'calcom') {
      return admin.post(`/drift/items/${encodeURIComponent(itemId)}/heal`, { keep });
    },
  };
  return scenario;
}

export const hoursLater = (iso: string, hours: number): string => new Date(Date.parse(iso) + hours * 3_600_000).toISOString();
