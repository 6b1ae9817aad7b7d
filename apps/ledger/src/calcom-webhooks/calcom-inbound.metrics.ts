import { Gauge, type Registry } from 'prom-client';
import { WEBHOOK_OUTCOMES } from '#domain';
import type { CalcomInboundQueries } from '#projections';

const OUTCOMES = ['pending', ...WEBHOOK_OUTCOMES] as const;

/** Webhook facts by outcome and open conflicts, read from the read models when scraped (`GET /metrics`). */
export function registerCalcomInboundMetrics(registry: Registry, queries: CalcomInboundQueries): void {
  let scrape: { at: number; counts: ReturnType<CalcomInboundQueries['counts']> } | null = null;
  const counts = () => {
    if (!scrape || Date.now() - scrape.at > 1_000) scrape = { at: Date.now(), counts: queries.counts() };
    return scrape.counts;
  };
  new Gauge({
    name: 'ledger_calcom_webhook_facts',
    help: 'Cal.com webhook facts by the outcome of applying them (pending: stored, not applied yet)',
    labelNames: ['outcome'] as const,
    registers: [registry],
    async collect() {
      const { factsByOutcome } = await counts();
      for (const outcome of OUTCOMES) this.set({ outcome }, factsByOutcome[outcome] ?? 0);
    },
  });
  new Gauge({
    name: 'ledger_calcom_conflicts_open',
    help: 'Conflicts between Cal.com and the ledger waiting for a person',
    registers: [registry],
    async collect() {
      this.set((await counts()).openConflicts);
    },
  });
}
