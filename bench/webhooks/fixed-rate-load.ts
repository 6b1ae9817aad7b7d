import { Agent, request } from 'node:http';
import { percentile } from '../appends/latency-summary.js';
import type { SignedWebhook } from './webhook-bodies.js';

export interface FixedRateResult {
  sent: number;
  /** Answered 200 and stored (not a duplicate). */
  stored: number;
  failed: number;
  seconds: number;
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
}

/**
 * Open loop: request i is due at start + i / rate whatever happened to the ones before, and its latency counts from
 * when it was due, so a server that falls behind shows it in the percentiles (no coordinated omission).
 */
export async function sendAtFixedRate(url: string, webhooks: readonly SignedWebhook[], ratePerSecond: number): Promise<FixedRateResult> {
  const agent = new Agent({ keepAlive: true, maxSockets: 64 });
  const target = new URL(url);
  const latencies: number[] = [];
  let stored = 0;
  let failed = 0;
  const started = performance.now();
  const inFlight: Promise<void>[] = [];
  let next = 0;
  await new Promise<void>((resolve) => {
    const tick = () => {
      const now = performance.now();
      while (next < webhooks.length && started + (next * 1000) / ratePerSecond <= now) {
        const due = started + (next * 1000) / ratePerSecond;
        inFlight.push(
          post(agent, target, webhooks[next]).then(
            (outcome) => {
              latencies.push(performance.now() - due);
              if (outcome === 'stored') stored++;
              else failed++;
            },
            () => {
              failed++;
            },
          ),
        );
        next++;
      }
      if (next < webhooks.length) setTimeout(tick, 1);
      else resolve();
    };
    tick();
  });
  await Promise.all(inFlight);
  const elapsedMs = performance.now() - started;
  agent.destroy();
  const sorted = latencies.sort((a, b) => a - b);
  return {
    sent: webhooks.length,
    stored,
    failed,
    seconds: round(elapsedMs / 1000),
    requestsPerSecond: Math.round(stored / (elapsedMs / 1000)),
    p50Ms: round(percentile(sorted, 0.5)),
    p99Ms: round(percentile(sorted, 0.99)),
    maxMs: round(sorted.at(-1) ?? Number.NaN),
  };
}

function post(agent: Agent, target: URL, webhook: SignedWebhook): Promise<'stored' | 'refused'> {
  return new Promise((resolve, reject) => {
    const outgoing = request(
      target,
      {
        method: 'POST',
        agent,
        headers: {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(webhook.body),
          'x-cal-signature-256': webhook.signature,
          'x-cal-webhook-version': '2021-10-20',
        },
      },
      (response) => {
        let text = '';
        response.on('data', (chunk) => (text += chunk));
        response.on('end', () => resolve(response.statusCode === 200 && text.includes('"duplicate":false') ? 'stored' : 'refused'));
      },
    );
    outgoing.on('error', reject);
    outgoing.end(webhook.body);
  });
}

const round = (value: number): number => Math.round(value * 100) / 100;
