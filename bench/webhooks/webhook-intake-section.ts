import type { BenchServer } from '../bench-server.js';
import { measureWebhookIntake, type WebhookIntakeFigure } from './webhook-intake.bench.js';

export const WEBHOOK_INTAKE_TARGET_PER_SECOND = 500;

/** The webhook intake section of `npm run bench`: 500 deliveries/s for 20 s at scale 1 (never under 2 s). */
export async function measureWebhookIntakeSection(server: BenchServer, scale: number, log: (line: string) => void): Promise<WebhookIntakeFigure> {
  const databaseUrl = await server.createDatabase('bench_webhook_intake');
  return measureWebhookIntake(databaseUrl, { ratePerSecond: WEBHOOK_INTAKE_TARGET_PER_SECOND, seconds: Math.max(2, Math.round(20 * scale)), warmUpSeconds: 2 }, log);
}

export function formatWebhookIntakeFigure(figure: WebhookIntakeFigure): string {
  const durable = figure.storedInStore === figure.stored && figure.failed === 0;
  const verdict = figure.requestsPerSecond >= WEBHOOK_INTAKE_TARGET_PER_SECOND * 0.98 && durable ? 'meets' : 'misses';
  return [
    '',
    `Cal.com webhook intake, signed BOOKING_CREATED deliveries sent open-loop at ${figure.ratePerSecond}/s to the ledger in its own process ` +
      `(each answered after its fact is committed; ${verdict} the >= ${WEBHOOK_INTAKE_TARGET_PER_SECOND}/s target):`,
    `  stored           ${figure.requestsPerSecond.toLocaleString('en-US')} webhooks/s (${figure.stored.toLocaleString('en-US')} of ${figure.sent.toLocaleString('en-US')} in ${figure.seconds} s, ${figure.failed} failed; ${figure.storedInStore.toLocaleString('en-US')} facts in the store)`,
    `  latency          p50 ${figure.p50Ms} ms, p99 ${figure.p99Ms} ms, max ${figure.maxMs} ms (from when each was due)`,
    `  translated       every fact applied (a new appointment each) ${figure.translatedAfterSeconds} s after the last answer`,
  ].join('\n');
}
