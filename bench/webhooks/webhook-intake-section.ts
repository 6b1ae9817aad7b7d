import type { BenchServer } from '../bench-server.js';
import { describeCpu, measureWebhookIntake, type WebhookIntakeFigure } from './webhook-intake.bench.js';

/** Issue 16: 1,000 deliveries/s stored durably (was 500/s). */
export const WEBHOOK_INTAKE_TARGET_PER_SECOND = 1_000;

export const WEBHOOK_INTAKE_USAGE = `  --webhook-rate / BENCH_WEBHOOK_RATE    offered deliveries/s of the webhook-intake section (default ${WEBHOOK_INTAKE_TARGET_PER_SECOND})
  --webhook-ramp / BENCH_WEBHOOK_RAMP    then these rates, 5 s each at scale 1, to find where the intake saturates (e.g. 600,900,1200,1500)`;

export interface WebhookIntakeOptions {
  ratePerSecond: number;
  ramp: number[];
}

/**
 * Its own flags, read here beside the section (run.ts hands every section the same settings): a flag wins over the
 * environment variable.
 */
export function readWebhookIntakeOptions(env: Record<string, string | undefined>, args: readonly string[]): WebhookIntakeOptions {
  const flag = (name: string) => args.find((arg) => arg.startsWith(`--${name}=`))?.slice(name.length + 3);
  const rates = (value: string, name: string) =>
    value.split(',').map((part) => {
      const rate = Number(part.trim());
      if (!Number.isInteger(rate) || rate < 1 || rate > 100_000)
        throw new Error(`${name} takes whole deliveries per second (1 to 100000), got ${JSON.stringify(part.slice(0, 40))}\n${WEBHOOK_INTAKE_USAGE}`);
      return rate;
    });
  const [ratePerSecond] = rates(flag('webhook-rate') ?? env.BENCH_WEBHOOK_RATE ?? String(WEBHOOK_INTAKE_TARGET_PER_SECOND), '--webhook-rate');
  const ramp = flag('webhook-ramp') ?? env.BENCH_WEBHOOK_RAMP;
  return { ratePerSecond, ramp: ramp ? rates(ramp, '--webhook-ramp') : [] };
}

/** The webhook intake section of `npm run bench`: the offered rate for 20 s at scale 1 (never under 2 s), then the ramp. */
export async function measureWebhookIntakeSection(server: BenchServer, scale: number, log: (line: string) => void): Promise<WebhookIntakeFigure> {
  const options = readWebhookIntakeOptions(process.env, process.argv.slice(2));
  const databaseUrl = await server.createDatabase('bench_webhook_intake');
  return measureWebhookIntake(
    databaseUrl,
    server.postmasterPid,
    { ...options, seconds: Math.max(2, Math.round(20 * scale)), warmUpSeconds: 2, rampStepSeconds: Math.max(2, Math.round(5 * scale)) },
    log,
  );
}

export function formatWebhookIntakeFigure(figure: WebhookIntakeFigure): string {
  const durable = figure.storedInStore === figure.stored && figure.failed === 0;
  const verdict = figure.requestsPerSecond >= WEBHOOK_INTAKE_TARGET_PER_SECOND * 0.98 && durable ? 'meets' : 'misses';
  const ramp = figure.ramp.map(
    (step) =>
      `  ramp ${String(step.ratePerSecond).padStart(6)}/s  stored ${step.requestsPerSecond.toLocaleString('en-US')}/s, ${step.failed} failed, ` +
      `p50 ${step.p50Ms} ms, p99 ${step.p99Ms} ms, translated ${step.translatedAfterSeconds} s after; ledger CPU ${step.sendingCpu.ledgerMs} ms/delivery sending; load ${step.loadAverage}`,
  );
  return [
    '',
    `Cal.com webhook intake, signed BOOKING_CREATED deliveries sent open-loop at ${figure.ratePerSecond}/s to the ledger in its own process ` +
      `(each answered after its fact is committed; ${verdict} the >= ${WEBHOOK_INTAKE_TARGET_PER_SECOND}/s target):`,
    `  stored           ${figure.requestsPerSecond.toLocaleString('en-US')} webhooks/s (${figure.stored.toLocaleString('en-US')} of ${figure.sent.toLocaleString('en-US')} in ${figure.seconds} s, ${figure.failed} failed; ${figure.storedInStore.toLocaleString('en-US')} facts in the store)`,
    `  latency          p50 ${figure.p50Ms} ms, p99 ${figure.p99Ms} ms, max ${figure.maxMs} ms (from when each was due)`,
    `  translated       every fact applied (a new appointment each) ${figure.translatedAfterSeconds} s after the last answer`,
    `  CPU / delivery   while sending: ${describeCpu(figure.sendingCpu)}; until translated: ${describeCpu(figure.totalCpu)}; load ${figure.loadAverage}`,
    ...ramp,
    ...(figure.ramp.length > 0
      ? [
          `  saturation       ${figure.saturationPerSecond === null ? 'below the lowest step' : `${figure.saturationPerSecond.toLocaleString('en-US')}/s offered is the highest step stored in full with p99 under 1 s`}`,
        ]
      : []),
  ].join('\n');
}
