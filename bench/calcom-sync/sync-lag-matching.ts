import type { RunningSandbox } from '#calcom-sandbox';
import { percentile } from '../appends/latency-summary.js';

export interface LagFigure {
  count: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
}

/** One admin command as the load generator sent it. */
export interface Sent {
  appointmentId: string;
  operation: 'create' | 'reschedule' | 'cancel';
  sentAt: number;
  answeredAt?: number;
}

interface SandboxState {
  bookings: { uid: string; metadata?: { appointmentId?: string }; rescheduledFromUid?: string }[];
  mutations: { at: string; op: string; uid: string; rescheduledFromUid?: string }[];
}

/** Each sent command with the time its Cal.com call landed, for those that have landed. */
export async function matched(sandbox: RunningSandbox, sent: Sent[]): Promise<{ sent: Sent; at: number }[]> {
  const state = (await (await fetch(`${sandbox.url}/_sandbox/state`)).json()) as SandboxState;
  const created = new Map<string, string>();
  for (const booking of state.bookings) if (booking.metadata?.appointmentId && !booking.rescheduledFromUid) created.set(booking.metadata.appointmentId, booking.uid);
  const rescheduledTo = new Map(state.mutations.filter((m) => m.op === 'reschedule').map((m) => [m.rescheduledFromUid!, m] as const));
  const byOp = (op: string) => new Map(state.mutations.filter((m) => m.op === op).map((m) => [m.uid, m] as const));
  const [creates, cancels] = [byOp('create'), byOp('cancel')];
  return sent.flatMap((command) => {
    const first = created.get(command.appointmentId);
    if (!first) return [];
    const mutation =
      command.operation === 'create' ? creates.get(first) : command.operation === 'reschedule' ? rescheduledTo.get(first) : cancels.get(rescheduledTo.get(first)?.uid ?? '');
    return mutation ? [{ sent: command, at: Date.parse(mutation.at) }] : [];
  });
}

export function summary(lagsMs: number[]): LagFigure {
  const sorted = [...lagsMs].sort((a, b) => a - b);
  return { count: sorted.length, p50Ms: percentile(sorted, 0.5), p99Ms: percentile(sorted, 0.99), maxMs: sorted.at(-1) ?? Number.NaN };
}
