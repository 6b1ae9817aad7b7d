import { useQuery } from '@tanstack/react-query';
import type { UnmappedBooking } from '#ledger/calcom-connect/booking-adoption';
import type { CatalogProposal } from '#ledger/calcom-connect/catalog-proposal';
import { get, post } from './api';

/** What `GET /calcom/connect` says: whether the ledger's own webhook subscription is registered (never its secret). */
export interface ConnectStatus {
  calcomConfigured: boolean;
  linked: boolean;
  subscriptions: { subscriberUrl: string; subscriptionId: number; previousSecretAcceptedUntil: string | null }[];
}

export type { UnmappedBooking };

/** `POST /calcom/connect/plan`, as apps/ledger/src/calcom-connect/calcom-connect.service.ts answers it. */
export interface ConnectPlan {
  account: { id: number; username: string; email: string; timeZone: string };
  catalog: CatalogProposal;
  webhook: { subscriberUrl: string; action: 'create' | 'update' | 'unchanged'; subscriptionId: number | null; triggers: string[]; differences: string[]; duplicates: number[] };
  bookings: { toAdopt: number; alreadyInLedger: number; rescheduled: number; unmapped: UnmappedBooking[] };
}

export interface ConnectTarget {
  daysBack: number;
  /** Empty: the ledger's PUBLIC_URL. */
  publicUrl: string;
}

interface BookingsStep {
  adopted: number;
  alreadyInLedger: number;
  remaining: number;
  unmapped: UnmappedBooking[];
}

export interface DriftSummary {
  items: { id: string; kind: string; summary: string }[];
}

export type ConnectProgress = { step: 'catalog' | 'webhook' | 'drift' } | { step: 'bookings'; done: number; total: number };

export interface ConnectResult {
  adopted: number;
  unmapped: UnmappedBooking[];
  drift: DriftSummary;
}

export const CONNECT_STATUS_KEY = ['calcom-connect'] as const;

/** A batch small enough that the progress moves every second or so, large enough that 300 bookings take few calls. */
const BOOKINGS_BATCH = 50;

export function useConnectStatus() {
  return useQuery({ queryKey: CONNECT_STATUS_KEY, queryFn: () => get<ConnectStatus>('/calcom/connect') });
}

const body = ({ daysBack, publicUrl }: ConnectTarget) => ({ daysBack, ...(publicUrl.trim() ? { publicUrl: publicUrl.trim() } : {}) });

export const planConnect = (target: ConnectTarget) => post<ConnectPlan>('/calcom/connect/plan', body(target));

/**
 * The plan carried out as the command line does it: catalog, webhook, the bookings a batch at a time until none
 * remain, then a drift check. Every step is safe to repeat, so a run stopped half way is simply started again.
 */
export async function connect(target: ConnectTarget, toAdopt: number, onProgress: (progress: ConnectProgress) => void): Promise<ConnectResult> {
  onProgress({ step: 'catalog' });
  await post('/calcom/connect/apply', { step: 'catalog' });
  onProgress({ step: 'webhook' });
  await post('/calcom/connect/apply', { step: 'webhook', ...body(target) });
  let adopted = 0;
  let total = toAdopt;
  let unmapped: UnmappedBooking[];
  let remainingBefore = Infinity;
  onProgress({ step: 'bookings', done: 0, total });
  for (;;) {
    const answer = await post<{ bookings: BookingsStep }>('/calcom/connect/apply', { step: 'bookings', limit: BOOKINGS_BATCH, ...body(target) });
    adopted += answer.bookings.adopted;
    unmapped = answer.bookings.unmapped;
    // Bookings made on Cal.com meanwhile move the total; the bar follows what the ledger says is left.
    total = Math.max(total, adopted + answer.bookings.remaining);
    onProgress({ step: 'bookings', done: adopted, total });
    if (answer.bookings.remaining === 0) break;
    // A batch that leaves as much as before would repeat for ever; say so instead.
    if (answer.bookings.remaining >= remainingBefore) throw new Error(`${answer.bookings.remaining} bookings could not be adopted`);
    remainingBefore = answer.bookings.remaining;
  }
  onProgress({ step: 'drift' });
  return { adopted, unmapped, drift: await settledDriftCheck() };
}

/** How long the closing drift check waits for the sync to settle what was just adopted (as the command line does). */
const DRIFT_SETTLE_MS = 60_000;

/** Kinds a check right after adopting can report while the sync and the read models catch up with what was adopted. */
const SETTLING_KINDS = new Set(['pending', 'missing_in_ledger']);

/** A check right after adopting may still find the sync or the read models catching up: checked again until they have. */
async function settledDriftCheck(): Promise<DriftSummary> {
  const deadline = Date.now() + DRIFT_SETTLE_MS;
  for (;;) {
    const report = (await post<{ report: DriftSummary }>('/drift/check', { mode: 'full' })).report;
    if (!report.items.some((item) => SETTLING_KINDS.has(item.kind)) || Date.now() > deadline) return report;
    await new Promise((resolve) => setTimeout(resolve, 1_000));
  }
}

/** Rotate and disconnect name only the subscription's address. */
const addressOnly = ({ publicUrl }: ConnectTarget) => (publicUrl.trim() ? { publicUrl: publicUrl.trim() } : {});

export const rotateSecret = (target: ConnectTarget) => post<{ subscriptionId: number; previousAcceptedUntil: string }>('/calcom/connect/rotate-secret', addressOnly(target));

export const disconnect = (target: ConnectTarget) => post<{ removed: number[] }>('/calcom/connect/disconnect', addressOnly(target));
