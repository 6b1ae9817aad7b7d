import type { PrintableReport } from '../drift/drift-report.format.js';
import type { BookingsStep, ConnectOptions, ConnectPlan } from './calcom-connect.service.js';

export type DriftReportWithItems = PrintableReport & { items: { kind: string }[] };

/** What the CLI does a connect through: a running ledger's API, or the database and Cal.com directly. */
export interface ConnectBackend {
  /** Whether a ledger's sync runs while connecting (it settles what was adopted before the drift check is final). */
  readonly syncRunning: boolean;
  plan(options: ConnectOptions): Promise<ConnectPlan>;
  saveCatalog(options: ConnectOptions): Promise<void>;
  registerWebhook(options: ConnectOptions): Promise<{ action: string; subscriptionId: number; subscriberUrl: string }>;
  adoptBookings(options: ConnectOptions, limit: number): Promise<BookingsStep>;
  driftCheck(): Promise<DriftReportWithItems>;
  close(): Promise<void>;
}

/** `LEDGER_URL` with an admin `LEDGER_TOKEN`: the `/calcom/connect` endpoints, then `POST /drift/check`. */
export function ledgerApiBackend(ledgerUrl: string, token: string | undefined): ConnectBackend {
  if (!token) throw new Error('LEDGER_TOKEN (an admin token) is required with LEDGER_URL');
  const post = async <T>(path: string, body: object): Promise<T> => {
    const response = await fetch(new URL(path, ledgerUrl), {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    const answer = (await response.json().catch(() => null)) as (T & { error?: { code: string; message: string } }) | null;
    if (response.status !== 200 || !answer) {
      throw new Error(`${path} answered ${response.status}${answer?.error ? ` ${answer.error.code}: ${answer.error.message}` : ''}`);
    }
    return answer;
  };
  return {
    syncRunning: true,
    plan: (options) => post<ConnectPlan>('/calcom/connect/plan', options),
    saveCatalog: async (options) => void (await post('/calcom/connect/apply', { ...options, step: 'catalog' })),
    registerWebhook: async (options) =>
      (await post<{ webhook: { action: string; subscriptionId: number; subscriberUrl: string } }>('/calcom/connect/apply', { ...options, step: 'webhook' })).webhook,
    adoptBookings: async (options, limit) => (await post<{ bookings: BookingsStep }>('/calcom/connect/apply', { ...options, step: 'bookings', limit })).bookings,
    driftCheck: async () => (await post<{ report: DriftReportWithItems }>('/drift/check', { mode: 'full' })).report,
    close: async () => undefined,
  };
}
