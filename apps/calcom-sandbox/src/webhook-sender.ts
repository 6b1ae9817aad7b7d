import { createHmac } from 'node:crypto';
import type { FaultSettings } from './faults.js';
import type { TriggerEvent } from './webhook-payload.js';
import type { WebhookSubscription } from './webhook-subscriptions.js';

export interface WebhookLogEntry {
  at: string;
  triggerEvent: TriggerEvent;
  uid: string;
  /** The subscriber answered 2xx. Dropped ones (fault) and network failures are `false` with status `null`. */
  delivered: boolean;
  status: number | null;
  /** Set for a delivery to a webhook registered with `/v2/webhooks`; absent for the sandbox's own webhook URL. */
  subscriptionId?: number;
}

/** Where one webhook goes: the sandbox's own URL (lever or start option) or a registered subscription. */
interface Target {
  url: string;
  secret: string | null;
  subscriptionId?: number;
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
    private readonly subscriptions: () => WebhookSubscription[] = () => [],
  ) {}

  setUrl(url: string | undefined): void {
    this.url = url;
  }

  /** Resolves once the delivery has settled, or at once when a fault sends it later. */
  async dispatch(triggerEvent: TriggerEvent, uid: string, payload: object): Promise<void> {
    if (!this.url && !this.subscriptions().some((subscription) => subscription.active)) return;
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
    const targets = this.targetsOf(webhook.triggerEvent);
    await Promise.all(targets.map((target) => this.post(webhook, body, target)));
    if (duplicated) await Promise.all(targets.map((target) => this.post(webhook, body, target)));
  }

  /**
   * Cal.com's getWebhooks: every active webhook whose triggers include the event, each signed with its own secret
   * (sendPayload.ts); the sandbox's own URL, when set, gets every trigger as before.
   */
  private targetsOf(triggerEvent: TriggerEvent): Target[] {
    const own: Target[] = this.url ? [{ url: this.url, secret: this.secret ?? null }] : [];
    const registered = this.subscriptions()
      .filter((subscription) => subscription.active && subscription.triggers.includes(triggerEvent))
      .map((subscription) => ({ url: subscription.subscriberUrl, secret: subscription.secret, subscriptionId: subscription.id }));
    return [...own, ...registered];
  }

  private async post(webhook: Webhook, body: string, target: Target): Promise<void> {
    const url = target.url;
    const at = this.now();
    const controller = new AbortController();
    this.inFlight.add(controller);
    const cap = setTimeout(() => controller.abort(), SUBSCRIBER_WAIT_CAP_MS);
    try {
      const response = await fetch(url, {
        method: 'POST',
        headers: {
          'Content-Type': 'application/json',
          'X-Cal-Signature-256': signature(body, target.secret),
          'X-Cal-Webhook-Version': '2021-10-20',
        },
        body,
        redirect: 'manual',
        signal: controller.signal,
      });
      await response.arrayBuffer().catch(() => undefined);
      this.record(webhook, at, response.status >= 200 && response.status < 300, response.status, target.subscriptionId);
    } catch {
      this.record(webhook, at, false, null, target.subscriptionId);
    } finally {
      clearTimeout(cap);
      this.inFlight.delete(controller);
    }
  }

  private record(webhook: Webhook, at: Date, delivered: boolean, status: number | null, subscriptionId?: number): void {
    const entry: WebhookLogEntry = { at: at.toISOString(), triggerEvent: webhook.triggerEvent, uid: webhook.uid, delivered, status };
    if (subscriptionId !== undefined) entry.subscriptionId = subscriptionId;
    this.log.push(entry);
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

function signature(body: string, secret: string | null): string {
  return secret ? createHmac('sha256', secret).update(body, 'utf8').digest('hex') : 'no-secret-provided';
}
