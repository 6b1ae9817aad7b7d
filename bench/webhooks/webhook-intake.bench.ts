import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import pg from 'pg';
import { sendAtFixedRate, type FixedRateResult } from './fixed-rate-load.js';
import { spawnLedger } from '../calcom-sync/spawned-ledger.js';
import { currentLoad } from '../machine.js';
import { CpuMeter, processCpuMs } from '../cpu-meter.js';
import { bookingCreatedWebhooks } from './webhook-bodies.js';

export interface WebhookIntakeSettings {
  ratePerSecond: number;
  seconds: number;
  warmUpSeconds: number;
  /** Offered rates measured one after another after the main run, each once the translator has caught up. */
  ramp: number[];
  rampStepSeconds: number;
}

export interface WebhookIntakeStep extends FixedRateResult {
  ratePerSecond: number;
  /** From the last answer until the translator had applied every fact (each one a new appointment). */
  translatedAfterSeconds: number;
  /** The machine's 1-minute load average at the end of the step. */
  loadAverage: number;
  /** CPU time per stored delivery while the deliveries were sent (intake, and whatever translating kept up). */
  sendingCpu: DeliveryCpu;
  /** CPU time per stored delivery from the first delivery until every fact was translated (intake and translation). */
  totalCpu: DeliveryCpu;
}

/** Milliseconds of CPU per stored delivery; postgres is null for a server not on this machine. */
export interface DeliveryCpu {
  ledgerMs: number;
  postgresMs: number | null;
  /** The load generator's own process (it shares the machine's cores). */
  benchMs: number;
}

export interface WebhookIntakeFigure extends WebhookIntakeStep {
  /** CalcomWebhookReceived events in the store after the run: every 200 is a committed, durable append. */
  storedInStore: number;
  ramp: WebhookIntakeStep[];
  /** The highest ramp rate stored in full (98 %, nothing failed) with p99 under 1 s; null if none was. */
  saturationPerSecond: number | null;
}

const ADMIN_TOKEN = 'bench-admin-token';
const TRANSLATION_TIMEOUT_MS = 300_000;
const HOUR_MS = 3_600_000;

/**
 * Webhook intake against the running ledger (own process, embedded sandbox, durable PostgreSQL): signed
 * BOOKING_CREATED deliveries at a fixed rate, each answered only after its fact is committed.
 */
export async function measureWebhookIntake(
  databaseUrl: string,
  postmasterPid: number | null,
  settings: WebhookIntakeSettings,
  log: (line: string) => void,
): Promise<WebhookIntakeFigure> {
  const secret = randomBytes(16).toString('hex');
  const dataDir = await mkdtemp(join(tmpdir(), 'ledger-bench-webhooks-'));
  const ledger = await spawnLedger({ DATABASE_URL: databaseUrl, API_TOKENS: `admin:${ADMIN_TOKEN}`, CALCOM_WEBHOOK_SECRET: secret, DATA_DIR: dataDir, SANDBOX_PORT: '0' }, log);
  const db = new pg.Client(databaseUrl);
  await db.connect();
  try {
    await saveCatalog(ledger.url);
    const intake = `${ledger.url}/webhooks/calcom`;
    const warmUp = bookingCreatedWebhooks(Math.round(settings.ratePerSecond * settings.warmUpSeconds), secret);
    await sendAtFixedRate(intake, warmUp, settings.ratePerSecond);
    await untilTranslated(db, warmUp.length);
    // Each run books its own stretch of the calendar (one booking an hour), so no two deliveries take the same time.
    let firstStart = Date.now() + 400 * 24 * HOUR_MS;
    let translated = warmUp.length;
    const step = async (ratePerSecond: number, seconds: number): Promise<WebhookIntakeStep & { count: number }> => {
      const webhooks = bookingCreatedWebhooks(Math.round(ratePerSecond * seconds), secret, firstStart);
      firstStart += (webhooks.length + 1) * HOUR_MS;
      log(`webhook intake: ${webhooks.length} signed deliveries at ${ratePerSecond}/s…`);
      const cpu = cpuMeter(ledger.pid, postmasterPid);
      const result = await sendAtFixedRate(intake, webhooks, ratePerSecond);
      const sendingCpu = cpu.perDelivery(result.stored);
      const answeredAt = performance.now();
      const count = (await countEvents(db, 'CalcomWebhookReceived')) - translated;
      translated += count;
      await untilTranslated(db, translated);
      const totalCpu = cpu.perDelivery(result.stored);
      const translatedAfterSeconds = Math.round((performance.now() - answeredAt) / 100) / 10;
      log(
        `webhook intake: ${result.requestsPerSecond}/s stored at ${ratePerSecond}/s offered, p99 ${result.p99Ms} ms, translated ${translatedAfterSeconds} s after; ` +
          `CPU per delivery sending ${describeCpu(sendingCpu)}, with translation ${describeCpu(totalCpu)}`,
      );
      return { ...result, ratePerSecond, translatedAfterSeconds, loadAverage: currentLoad(), sendingCpu, totalCpu, count };
    };
    const { count: storedInStore, ...main } = await step(settings.ratePerSecond, settings.seconds);
    const ramp: WebhookIntakeStep[] = [];
    for (const rate of settings.ramp) {
      const { count: _count, ...measured } = await step(rate, settings.rampStepSeconds);
      ramp.push(measured);
    }
    const keptUp = ramp.filter((measured) => measured.failed === 0 && measured.requestsPerSecond >= measured.ratePerSecond * 0.98 && measured.p99Ms < 1_000);
    return { ...main, storedInStore, ramp, saturationPerSecond: keptUp.length ? Math.max(...keptUp.map((measured) => measured.ratePerSecond)) : null };
  } finally {
    await db.end();
    await ledger.stop();
    await rm(dataDir, { recursive: true, force: true });
  }
}

/** CPU of the ledger's process, the PostgreSQL server and this process since it was made, per stored delivery. */
function cpuMeter(ledgerPid: number, postmasterPid: number | null) {
  const ledgerAtStart = processCpuMs(ledgerPid);
  const stop = new CpuMeter(postmasterPid).start();
  return {
    perDelivery(stored: number): DeliveryCpu {
      const { clientCpuMs, serverCpuMs } = stop();
      const per = (ms: number) => Math.round((ms / Math.max(1, stored)) * 1000) / 1000;
      return {
        ledgerMs: per((processCpuMs(ledgerPid) ?? Number.NaN) - (ledgerAtStart ?? Number.NaN)),
        postgresMs: serverCpuMs === null ? null : per(serverCpuMs),
        benchMs: per(clientCpuMs),
      };
    },
  };
}

export function describeCpu({ ledgerMs, postgresMs, benchMs }: DeliveryCpu): string {
  return `ledger ${ledgerMs} ms, PostgreSQL ${postgresMs ?? '?'} ms, load generator ${benchMs} ms`;
}

async function saveCatalog(url: string): Promise<void> {
  const put = async (path: string, body: unknown) => {
    const response = await fetch(`${url}${path}`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${ADMIN_TOKEN}` },
      body: JSON.stringify(body),
    });
    if (!response.ok) throw new Error(`PUT ${path}: ${response.status} ${await response.text()}`);
  };
  await put('/staff/olivia', { name: 'Olivia Owner', email: 'olivia@sandbox.example', calcomUserId: 1 });
  await put('/services/consultation', { name: 'Consultation', durationMinutes: 30, calcomEventTypeIds: { olivia: 101 } });
}

async function untilTranslated(db: pg.Client, facts: number): Promise<void> {
  const deadline = Date.now() + TRANSLATION_TIMEOUT_MS;
  while ((await countEvents(db, 'CalcomWebhookApplied')) < facts) {
    if (Date.now() > deadline) throw new Error(`the translator did not apply ${facts} facts within ${TRANSLATION_TIMEOUT_MS} ms`);
    await delay(100);
  }
}

async function countEvents(db: pg.Client, type: string): Promise<number> {
  const { rows } = await db.query<{ count: string }>('SELECT count(*) AS count FROM events WHERE type = $1', [type]);
  return Number(rows[0].count);
}
