import type { CalcomWebhookSubscription } from '#calcom';
import { NotFoundError } from '#domain';
import type { CalcomAccountApi } from './calcom-account.reader.js';
import { type CalcomWebhookSecrets, newWebhookSecret } from './calcom-webhook-secrets.js';

/** The triggers the webhook translator reads (calcom-webhook.parser.ts): nothing else is asked for. */
export const SYNC_TRIGGERS = ['BOOKING_CREATED', 'BOOKING_REQUESTED', 'BOOKING_RESCHEDULED', 'BOOKING_CANCELLED', 'BOOKING_REJECTED', 'BOOKING_NO_SHOW_UPDATED'];

export type WebhookAction = 'create' | 'update' | 'unchanged';

export interface WebhookPlan {
  subscriberUrl: string;
  action: WebhookAction;
  subscriptionId: number | null;
  triggers: string[];
  /** What differs from what the ledger wants (`triggers`, `active`, `secret`), for an update. */
  differences: string[];
  /** Other subscriptions at the same URL, deleted when the plan is carried out: never two for one URL. */
  duplicates: number[];
}

/**
 * The ledger's own subscription on Cal.com: one per subscriber URL, with the sync's triggers and a secret only the
 * ledger knows (generated, kept in PostgreSQL, never printed). Cal.com shows the secret it holds, so a secret that no
 * longer matches ours (someone changed it in Cal.com's settings) is replaced.
 */
export class WebhookSubscriptionManager {
  constructor(
    private readonly api: CalcomAccountApi,
    private readonly secrets: CalcomWebhookSecrets,
    private readonly overlapMs: number,
  ) {}

  async plan(subscriberUrl: string): Promise<WebhookPlan> {
    const atUrl = (await this.api.listWebhooks()).filter((subscription) => subscription.subscriberUrl === subscriberUrl);
    const stored = await this.secrets.find(subscriberUrl);
    const ours = atUrl.find((subscription) => subscription.id === stored?.subscriptionId) ?? atUrl[0];
    const duplicates = atUrl.filter((subscription) => subscription !== ours).map((subscription) => subscription.id);
    if (!ours) return { subscriberUrl, action: 'create', subscriptionId: null, triggers: SYNC_TRIGGERS, differences: [], duplicates };
    const differences = this.differences(ours, stored?.subscriptionId === ours.id ? stored.secret : null);
    return { subscriberUrl, action: differences.length ? 'update' : 'unchanged', subscriptionId: ours.id, triggers: SYNC_TRIGGERS, differences, duplicates };
  }

  /** Carries out a plan made just before; answers the subscription id. */
  async apply(plan: WebhookPlan): Promise<number> {
    for (const id of plan.duplicates) await this.api.deleteWebhook(id);
    const stored = await this.secrets.find(plan.subscriberUrl);
    if (plan.action === 'unchanged' && plan.subscriptionId !== null) return plan.subscriptionId;
    const keepSecret = plan.action === 'update' && stored?.subscriptionId === plan.subscriptionId && !plan.differences.includes('secret');
    const secret = keepSecret && stored ? stored.secret : newWebhookSecret();
    // The secret is saved before Cal.com signs with it, so that no delivery arrives that the ledger cannot check.
    if (plan.action === 'create') {
      await this.secrets.save(plan.subscriberUrl, stored?.subscriptionId ?? 0, secret, this.overlapMs);
      const created = await this.api.createWebhook({ subscriberUrl: plan.subscriberUrl, triggers: SYNC_TRIGGERS, active: true, secret });
      await this.secrets.save(plan.subscriberUrl, created.id, secret, this.overlapMs);
      return created.id;
    }
    await this.secrets.save(plan.subscriberUrl, plan.subscriptionId!, secret, this.overlapMs);
    await this.api.updateWebhook(plan.subscriptionId!, { subscriberUrl: plan.subscriberUrl, triggers: SYNC_TRIGGERS, active: true, secret });
    return plan.subscriptionId!;
  }

  /** A new secret for the subscription; the old one is still accepted for the overlap. */
  async rotate(subscriberUrl: string): Promise<{ subscriptionId: number; previousAcceptedUntil: string }> {
    const stored = await this.secrets.find(subscriberUrl);
    // Nothing to rotate before connecting: the answer names the URL that has no subscription.
    if (!stored || stored.subscriptionId === 0) throw new NotFoundError('webhook subscription of the ledger at', subscriberUrl);
    const secret = newWebhookSecret();
    await this.secrets.save(subscriberUrl, stored.subscriptionId, secret, this.overlapMs);
    await this.api.updateWebhook(stored.subscriptionId, { secret });
    const rotated = await this.secrets.find(subscriberUrl);
    return { subscriptionId: stored.subscriptionId, previousAcceptedUntil: rotated!.previousValidUntil!.toISOString() };
  }

  /** Deletes every subscription at the URL on Cal.com, then forgets the secret. */
  async remove(subscriberUrl: string): Promise<{ removed: number[] }> {
    const atUrl = (await this.api.listWebhooks()).filter((subscription) => subscription.subscriberUrl === subscriberUrl);
    for (const subscription of atUrl) await this.api.deleteWebhook(subscription.id);
    await this.secrets.remove(subscriberUrl);
    return { removed: atUrl.map((subscription) => subscription.id) };
  }

  private differences(subscription: CalcomWebhookSubscription, ourSecret: string | null): string[] {
    const differences: string[] = [];
    const triggers = new Set(subscription.triggers);
    if (triggers.size !== SYNC_TRIGGERS.length || SYNC_TRIGGERS.some((trigger) => !triggers.has(trigger))) differences.push('triggers');
    if (!subscription.active) differences.push('active');
    if (ourSecret === null || (subscription.secret !== undefined && subscription.secret !== ourSecret)) differences.push('secret');
    return differences;
  }
}
