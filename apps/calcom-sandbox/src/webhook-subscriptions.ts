import { badRequest, notFound } from './sandbox-error.js';

/**
 * The triggers Cal.com accepts for a webhook (CreateWebhookInputDto's enum in Cal.com's OpenAPI document; the
 * document types the field as a string, the API takes an array of them, as its own example shows).
 */
export const WEBHOOK_TRIGGERS = [
  'BOOKING_CREATED',
  'BOOKING_PAYMENT_INITIATED',
  'BOOKING_PAID',
  'BOOKING_RESCHEDULED',
  'BOOKING_REQUESTED',
  'BOOKING_CANCELLED',
  'BOOKING_REJECTED',
  'BOOKING_NO_SHOW_UPDATED',
  'FORM_SUBMITTED',
  'MEETING_ENDED',
  'MEETING_STARTED',
  'RECORDING_READY',
  'INSTANT_MEETING',
  'RECORDING_TRANSCRIPTION_GENERATED',
  'OOO_CREATED',
  'AFTER_HOSTS_CAL_VIDEO_NO_SHOW',
  'AFTER_GUESTS_CAL_VIDEO_NO_SHOW',
  'FORM_SUBMITTED_NO_EVENT',
] as const;

/** A user-level webhook: Cal.com sends it every trigger it lists for every event type of the user (NOTES.md, #14426). */
export interface WebhookSubscription {
  id: number;
  userId: number;
  subscriberUrl: string;
  triggers: string[];
  active: boolean;
  secret: string | null;
  payloadTemplate: string | null;
}

const MAX_URL_LENGTH = 2_048;
const MAX_SECRET_LENGTH = 512;

/** The key owner's webhooks (`/v2/webhooks`), in creation order. Ids keep counting across a reset, as booking ids do. */
export class WebhookSubscriptions {
  private readonly byId = new Map<number, WebhookSubscription>();
  private lastId = 0;

  all(): WebhookSubscription[] {
    return [...this.byId.values()];
  }

  get(id: string): WebhookSubscription {
    const subscription = /^\d+$/.test(id) ? this.byId.get(Number(id)) : undefined;
    // webhooks.controller.ts: a webhook of another user or none at all is the same 404.
    if (!subscription) throw notFound(`Webhook with id ${id} not found`);
    return subscription;
  }

  create(userId: number, body: unknown): WebhookSubscription {
    const input = objectBody(body);
    for (const field of ['active', 'subscriberUrl', 'triggers'] as const) {
      if (input[field] === undefined) throw badRequest(`${field} should not be empty`);
    }
    const subscription: WebhookSubscription = { id: ++this.lastId, userId, subscriberUrl: '', triggers: [], active: true, secret: null, payloadTemplate: null };
    this.byId.set(subscription.id, applyChanges(subscription, input));
    return this.byId.get(subscription.id)!;
  }

  update(id: string, body: unknown): WebhookSubscription {
    const updated = applyChanges(this.get(id), objectBody(body));
    this.byId.set(updated.id, updated);
    return updated;
  }

  delete(id: string): WebhookSubscription {
    const subscription = this.get(id);
    this.byId.delete(subscription.id);
    return subscription;
  }

  clear(): void {
    this.byId.clear();
  }
}

/** UserWebhookOutputDto: the secret is part of Cal.com's answer (webhooks/outputs/webhook.output.ts exposes it). */
export function webhookOutput(subscription: WebhookSubscription) {
  return {
    id: subscription.id,
    userId: subscription.userId,
    subscriberUrl: subscription.subscriberUrl,
    triggers: subscription.triggers,
    active: subscription.active,
    payloadTemplate: subscription.payloadTemplate,
    ...(subscription.secret !== null ? { secret: subscription.secret } : {}),
  };
}

function applyChanges(subscription: WebhookSubscription, input: Record<string, unknown>): WebhookSubscription {
  const next = { ...subscription };
  for (const key of Object.keys(input)) {
    if (!['active', 'subscriberUrl', 'triggers', 'secret', 'payloadTemplate', 'version'].includes(key)) throw badRequest(`property ${key} should not exist`);
  }
  if (input.active !== undefined) {
    if (typeof input.active !== 'boolean') throw badRequest('active must be a boolean value');
    next.active = input.active;
  }
  if (input.subscriberUrl !== undefined) next.subscriberUrl = parseSubscriberUrl(input.subscriberUrl);
  if (input.triggers !== undefined) next.triggers = parseTriggers(input.triggers);
  if (input.secret !== undefined) {
    if (typeof input.secret !== 'string' || input.secret.length > MAX_SECRET_LENGTH) throw badRequest('secret must be a string');
    next.secret = input.secret === '' ? null : input.secret;
  }
  if (input.payloadTemplate !== undefined) {
    if (typeof input.payloadTemplate !== 'string') throw badRequest('payloadTemplate must be a string');
    next.payloadTemplate = input.payloadTemplate;
  }
  return next;
}

function parseSubscriberUrl(value: unknown): string {
  if (typeof value !== 'string' || value.length > MAX_URL_LENGTH) throw badRequest('subscriberUrl must be a string');
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw badRequest('subscriberUrl must be a URL address');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw badRequest('subscriberUrl must be a URL address');
  return value;
}

function parseTriggers(value: unknown): string[] {
  const allowed: readonly string[] = WEBHOOK_TRIGGERS;
  if (!Array.isArray(value) || value.some((trigger) => typeof trigger !== 'string' || !allowed.includes(trigger))) {
    throw badRequest(`each value in triggers must be one of the following values: ${WEBHOOK_TRIGGERS.join(', ')}`);
  }
  // #13079: Cal.com once kept repeated triggers; the sandbox keeps each once.
  return [...new Set(value as string[])];
}

function objectBody(body: unknown): Record<string, unknown> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw badRequest('body must be an object');
  return body as Record<string, unknown>;
}
