import { createHmac } from 'node:crypto';
import type { FaultSettings } from './faults.js';
import type { TriggerEvent } from './webhook-payload.js';

export interface WebhookLogEntry {
  at: string;
  triggerEvent: TriggerEvent;
  uid: string;
  /** The subscriber answered 2xx. Dropped ones (fault) and network failures are `false` with status `null`. */
  delivered: boolean;
  status: number | null;
}

interface Webhook {
  triggerEvent: TriggerEvent;
  uid: string;
  payload: object;
}

/** Cal.com's fetch has no timeout; the sandbox stops waiting for a silent subscriber after this long. */
const SUBSCRIBER_WAIT_CAP_MS = 10_000;
const HELD_WEBHOOK_RELEASE_MS = 1_000;

/**
 * Delivers webhooks the way Cal.com does: one POST per change, signed over the exact body bytes, no retry, and awaited
 * inside the request that caused it, so the subscriber normally receives it before the API response is written.
 * Delay and reorder faults detach delivery from the request; drop and duplicate faults are drawn per webhook.
 */
export class WebhookSender {
  readonly log: WebhookLogEntry[] = [];
  private held: { webhook: Webhook; timer: NodeJS.Timeout } | undefined;
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly inFlight = new Set<AbortController>();

  constructor(
    private url: string | undefined,
    private readonly secret: string | undefined,
    private readonly faults: FaultSettings,
    private readonly now: () => Date,
  ) {}

  setUrl(url: string | undefined): void {
    this.url = url;
  }

  /** Resolves once the delivery has settled, or at once when a fault sends it later. */
  async dispatch(triggerEvent: TriggerEvent, uid: string, payload: object): Promise<void> {
    if (!this.url) return;
    const webhook = { triggerEvent, uid, payload };
    if (!this.faults.current.webhookReorder) return this.sendInOrder([webhook]);
    const previous = this.held;
    if (!previous) {
      const timer = this.later(HELD_WEBHOOK_RELEASE_MS, () => {
        this.held = undefined;
        return this.send(webhook);
      });
      this.held = { webhook, timer };
      return;
    }
    this.cancelTimer(previous.timer);
    this.held = undefined;
    return this.sendInOrder([webhook, previous.webhook]);
  }

  resetLog(): void {
    this.log.length = 0;
    if (this.held) this.cancelTimer(this.held.timer);
    this.held = undefined;
  }

  async close(): Promise<void> {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    this.held = undefined;
    for (const controller of this.inFlight) controller.abort();
  }

  private async sendInOrder(webhooks: Webhook[]): Promise<void> {
    const sendAll = async () => {
      for (const webhook of webhooks) await this.send(webhook);
    };
    const delayMs = this.faults.current.webhookDelayMs;
    if (delayMs > 0) this.later(delayMs, sendAll);
    else await sendAll();
  }

  private async send(webhook: Webhook): Promise<void> {
    const random = this.faults.webhookRandom;
    const dropped = random.chance(this.faults.current.webhookDropRate);
    const duplicated = random.chance(this.faults.current.webhookDuplicateRate);
    if (dropped) {
      this.record(webhook, this.now(), false, null);
      return;
    }
    const body = JSON.stringify({ triggerEvent: webhook.triggerEvent, createdAt: this.now().toISOString(), payload: webhook.payload });
    await this.post(webhook, body);
    if (duplicated) await this.post(webhook, body);
  }

  private async post(webhook: Webhook, body: string): Promise<void> {
    const url = this.url;
    const at = this.now();
    if (!url) return this.record(webhook, at, false, null);
    const controller = new AbortController();
    this.inFlight.add(controller);
    const cap = setTimeout(() => controller.abort(), SUBSCRIBER_WAIT_CAP_MS);
    try {
      const response = await fetch(url, {
        method: 'POST',
        headers: {
          'Content-Type': 'application/json',
          'X-Cal-Signature-256': this.signature(body),
          'X-Cal-Webhook-Version': '2021-10-20',
        },
        body,
        redirect: 'manual',
        signal: controller.signal,
      });
      await response.arrayBuffer().catch(() => undefined);
      this.record(webhook, at, response.status >= 200 && response.status < 300, response.status);
    } catch {
      this.record(webhook, at, false, null);
    } finally {
      clearTimeout(cap);
      this.inFlight.delete(controller);
    }
  }

  private signature(body: string): string {
    return this.secret ? createHmac('sha256', this.secret).update(body, 'utf8').digest('hex') : 'no-secret-provided';
  }

  private record(webhook: Webhook, at: Date, delivered: boolean, status: number | null): void {
    this.log.push({ at: at.toISOString(), triggerEvent: webhook.triggerEvent, uid: webhook.uid, delivered, status });
  }

  private later(delayMs: number, task: () => Promise<void>): NodeJS.Timeout {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      void task();
    }, delayMs);
    this.timers.add(timer);
    return timer;
  }

  private cancelTimer(timer: NodeJS.Timeout): void {
    clearTimeout(timer);
    this.timers.delete(timer);
  }
}
