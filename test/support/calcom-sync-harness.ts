import { startSandbox, type RunningSandbox, type SandboxCatalog, type SandboxFaults, DEFAULT_CATALOG } from '#calcom-sandbox';
import type { CalcomSettings } from '../../apps/ledger/src/config.js';

/**
 * A Cal.com for the sync tests: the sandbox with a catalog that has every case the sync must handle: a staff member
 * per non-round-robin event type (Olivia 101 and 102, Hugo 201) and a round-robin type (103, Hugo or Rita).
 */
export const SYNC_TEST_CATALOG: SandboxCatalog = {
  users: DEFAULT_CATALOG.users,
  eventTypes: [...DEFAULT_CATALOG.eventTypes, { id: 201, slug: 'consultation-30-hugo', title: 'Consultation', lengthInMinutes: 30, ownerId: 2, schedulingType: null }],
};

/** The same catalog on the ledger's side: staff → Cal.com user, service → event type per staff member. */
export const LEDGER_STAFF = [
  { id: 'olivia', body: { name: 'Olivia', email: 'olivia@salon.example', calcomUserId: 1 } },
  { id: 'hugo', body: { name: 'Hugo', email: 'hugo@salon.example', calcomUserId: 2 } },
  { id: 'rita', body: { name: 'Rita', email: 'rita@salon.example', calcomUserId: 3 } },
];
export interface LedgerServiceSeed {
  id: string;
  body: { name: string; durationMinutes: number; calcomEventTypeIds: Record<string, number> };
}
export const LEDGER_SERVICES: LedgerServiceSeed[] = [
  { id: 'consult', body: { name: 'Consultation', durationMinutes: 30, calcomEventTypeIds: { olivia: 101, hugo: 201 } } },
  { id: 'assessment', body: { name: 'Assessment', durationMinutes: 60, calcomEventTypeIds: { olivia: 102 } } },
  { id: 'team', body: { name: 'Team session', durationMinutes: 45, calcomEventTypeIds: { hugo: 103, rita: 103 } } },
];

export const WEBHOOK_SECRET = 'whsec-for-sync-tests';

export interface SandboxState {
  bookings: Array<{
    uid: string;
    status: string;
    start: string;
    eventTypeId: number;
    hosts: { id: number }[];
    metadata: Record<string, unknown>;
    rescheduledFromUid?: string;
    rescheduledToUid?: string;
  }>;
  mutations: Array<{ at: string; op: string; uid: string; via: string; rescheduledFromUid?: string }>;
  webhooks: Array<{ at: string; triggerEvent: string; uid: string; delivered: boolean; status: number | null }>;
}

export class SandboxLevers {
  constructor(readonly sandbox: RunningSandbox) {}

  async state(): Promise<SandboxState> {
    return (await fetch(`${this.sandbox.url}/_sandbox/state`)).json() as Promise<SandboxState>;
  }

  async setFaults(faults: Partial<SandboxFaults>): Promise<void> {
    const response = await fetch(`${this.sandbox.url}/_sandbox/faults`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify(faults) });
    if (!response.ok) throw new Error(`faults: ${response.status} ${await response.text()}`);
  }
}

export function startSyncTestSandbox(options: { now?: () => Date } = {}): Promise<RunningSandbox> {
  return startSandbox({ port: 0, catalog: SYNC_TEST_CATALOG, webhookSecret: WEBHOOK_SECRET, now: options.now });
}

/** Settings for a ledger that syncs with `sandbox`, quick to retry so tests do not wait. */
export function calcomSettingsFor(sandbox: RunningSandbox, overrides: Partial<CalcomSettings> = {}): CalcomSettings {
  return {
    apiUrl: sandbox.url,
    apiKey: sandbox.apiKey,
    timeoutMs: 2_000,
    rateLimitPerMinute: 6_000,
    syncConcurrency: 8,
    retryInitialDelayMs: 50,
    retryMaxDelayMs: 1_000,
    sandboxPort: 0,
    ...overrides,
  };
}

/** The Cal.com side of one appointment from the mutation log: its creates (by metadata), and every change to its uids. */
export function mutationsOf(state: SandboxState, appointmentId: string) {
  const uids = new Set(state.bookings.filter((b) => b.metadata?.appointmentId === appointmentId).map((b) => b.uid));
  // Reschedules make new uids from old ones: follow the chain forwards.
  for (let grew = true; grew;) {
    grew = false;
    for (const booking of state.bookings) {
      if (booking.rescheduledFromUid && uids.has(booking.rescheduledFromUid) && !uids.has(booking.uid)) {
        uids.add(booking.uid);
        grew = true;
      }
    }
  }
  return state.mutations.filter((m) => uids.has(m.uid)).map(({ op, uid, rescheduledFromUid }) => ({ op, uid, rescheduledFromUid }));
}
