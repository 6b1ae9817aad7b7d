import { Gauge, type Registry } from 'prom-client';
import { driftKinds } from '#domain';
import type { SyncHealth, SyncHealthQueries } from '#projections';

/** How long one scrape's read of the read models is reused by the other gauges of the same scrape. */
const REUSE_MS = 1_000;

/**
 * The sync's health as Prometheus gauges, read from the read models when scraped (`GET /metrics`): the same figures
 * as `GET /sync/status`.
 */
export function registerSyncHealthMetrics(registry: Registry, queries: SyncHealthQueries, now: () => Date = () => new Date()): void {
  let cached: { at: number; health: Promise<SyncHealth> } | null = null;
  const health = (): Promise<SyncHealth> => {
    const at = Date.now();
    if (!cached || at - cached.at > REUSE_MS) cached = { at, health: queries.health(now()) };
    return cached.health;
  };
  const seconds = (iso: string | null | undefined) => (iso ? Date.parse(iso) / 1000 : 0);

  new Gauge({
    name: 'ledger_sync_appointments',
    help: 'Appointments by Cal.com sync status',
    labelNames: ['status'] as const,
    registers: [registry],
    async collect() {
      for (const [status, count] of Object.entries((await health()).counts)) this.set({ status }, count);
    },
  });
  new Gauge({
    name: 'ledger_sync_oldest_pending_seconds',
    help: 'How long the appointment that has waited longest for the sync has waited (0: none pending)',
    registers: [registry],
    async collect() {
      const oldest = (await health()).oldestPending;
      this.set(oldest ? Math.max(0, (now().getTime() - Date.parse(oldest.since)) / 1000) : 0);
    },
  });
  new Gauge({
    name: 'ledger_sync_failures_last_hour',
    help: 'Failed Cal.com calls of the sync in the last hour, by whether they were permanent',
    labelNames: ['permanent'] as const,
    registers: [registry],
    async collect() {
      const { calls, permanent } = (await health()).failuresLastHour;
      this.set({ permanent: 'true' }, permanent);
      this.set({ permanent: 'false' }, calls - permanent);
    },
  });
  new Gauge({
    name: 'ledger_calcom_last_webhook_timestamp_seconds',
    help: 'When the last Cal.com webhook was received (0: never)',
    registers: [registry],
    async collect() {
      this.set(seconds((await health()).lastWebhookReceivedAt));
    },
  });
  new Gauge({
    name: 'ledger_drift_last_check_timestamp_seconds',
    help: 'When the last drift check finished, by outcome (0: never)',
    labelNames: ['outcome'] as const,
    registers: [registry],
    async collect() {
      const last = (await health()).lastDriftCheck;
      this.reset();
      if (last) this.set({ outcome: last.outcome }, seconds(last.generatedAt));
    },
  });
  new Gauge({
    name: 'ledger_drift_items',
    help: 'Items of the last drift check by kind (pending is not drift)',
    labelNames: ['kind'] as const,
    registers: [registry],
    async collect() {
      const counts = (await health()).lastDriftCheck?.counts ?? {};
      for (const kind of driftKinds) this.set({ kind }, counts[kind] ?? 0);
    },
  });
}
