import { Gauge } from 'prom-client';
import type { DataSource } from 'typeorm';
import type { ParkedEvent, SubscriptionFailure } from '#event-store';
import { type Projector, READ_MODELS_PROJECTION, readSubscriptionIncidents, type SubscriptionIncidents } from '#projections';
import type { LedgerMetrics } from './metrics.js';

/** Parked events listed per subscription in `/health`; the count says how many there are in all. */
const LISTED_PER_SUBSCRIPTION = 10;

export interface SubscriptionTrouble {
  name: string;
  /** `stalled`: it keeps failing now (see `failure`); `parked`: it moved past events it could not handle. */
  status: 'stalled' | 'parked';
  failure: Omit<SubscriptionFailure, 'subscription'> | null;
  parkedEvents: number;
  parked: Omit<ParkedEvent, 'subscription' | 'resumeFrom'>[];
}

/**
 * The catch-up subscriptions' trouble as `/health` and `/metrics` tell it: read from the incident tables, which every
 * instance writes (so a standby reports the leader's workers too), plus this instance's projector as it is this instant.
 */
export class SubscriptionHealth {
  constructor(
    private readonly readModel: DataSource,
    private readonly projector: Projector,
    metrics: LedgerMetrics,
  ) {
    const read = () => this.incidents();
    new Gauge({
      name: 'ledger_subscription_parked_events',
      help: 'Events a subscription could not handle and moved past, waiting to be replayed',
      labelNames: ['subscription'] as const,
      registers: [metrics.registry],
      async collect() {
        this.reset();
        const incidents = await read().catch(() => null);
        for (const [subscription, count] of countBySubscription(incidents?.parked ?? [])) this.set({ subscription }, count);
      },
    });
    new Gauge({
      name: 'ledger_subscription_consecutive_failures',
      help: 'Failed attempts in a row of a subscription still retrying (0 or absent when it runs)',
      labelNames: ['subscription'] as const,
      registers: [metrics.registry],
      async collect() {
        this.reset();
        const incidents = await read().catch(() => null);
        for (const failure of incidents?.failures ?? []) this.set({ subscription: failure.subscription }, failure.attempts);
      },
    });
  }

  /** Every subscription in trouble, by name; empty when all is well. */
  async troubles(): Promise<SubscriptionTrouble[]> {
    const incidents = await this.incidents();
    const names = new Set([...incidents.failures.map((failure) => failure.subscription), ...incidents.parked.map((event) => event.subscription)]);
    return [...names].sort().map((name) => {
      const failure = incidents.failures.find((candidate) => candidate.subscription === name) ?? null;
      const parked = incidents.parked.filter((event) => event.subscription === name);
      return {
        name,
        status: failure ? 'stalled' : 'parked',
        failure: failure && withoutKeys(failure, ['subscription']),
        parkedEvents: parked.length,
        parked: parked.slice(0, LISTED_PER_SUBSCRIPTION).map((event) => withoutKeys(event, ['subscription', 'resumeFrom'])),
      };
    });
  }

  private async incidents(): Promise<SubscriptionIncidents> {
    const stored = await readSubscriptionIncidents(this.readModel.manager);
    // This instance's projector knows of its failure before the table does (or when the table cannot be written).
    const live = this.projector.currentFailure;
    if (!live || stored.failures.some((failure) => failure.subscription === READ_MODELS_PROJECTION)) return stored;
    return { ...stored, failures: [...stored.failures, live] };
  }
}

function countBySubscription(parked: readonly ParkedEvent[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const event of parked) counts.set(event.subscription, (counts.get(event.subscription) ?? 0) + 1);
  return counts;
}

function withoutKeys<T extends object, K extends keyof T>(value: T, keys: K[]): Omit<T, K> {
  const copy = { ...value };
  for (const key of keys) delete copy[key];
  return copy;
}
