import { badRequest, notFound } from './sandbox-error.js';
import { success, type V2Route } from './v2-route.js';
import { webhookOutput, type WebhookSubscriptions } from './webhook-subscriptions.js';

/**
 * The key owner's webhooks, as Cal.com API v2's WebhooksController serves them (no cal-api-version): create, list
 * (`take` ≤ 250, `skip`), read, change and delete, each answering UserWebhookOutputResponseDto(s).
 */
export function webhookRoutes(subscriptions: WebhookSubscriptions): V2Route[] {
  const own = (userId: number) => subscriptions.all().filter((subscription) => subscription.userId === userId);
  const mine = (id: string, userId: number) => {
    const subscription = subscriptions.get(id);
    // webhooks.controller.ts (IsUserWebhookGuard): another user's webhook is not found for this key.
    if (subscription.userId !== userId) throw notFound(`Webhook with id ${id} not found`);
    return subscription;
  };
  return [
    {
      method: 'POST',
      pattern: /^\/v2\/webhooks$/,
      handler: async ({ body, caller }) => success(201, webhookOutput(subscriptions.create(caller.id, body))),
    },
    {
      method: 'GET',
      pattern: /^\/v2\/webhooks$/,
      handler: async ({ query, caller }) => {
        const take = pagingParam(query, 'take', 250, 1, 250);
        const skip = pagingParam(query, 'skip', 0, 0, Number.MAX_SAFE_INTEGER);
        return success(
          200,
          own(caller.id)
            .slice(skip, skip + take)
            .map(webhookOutput),
        );
      },
    },
    { method: 'GET', pattern: /^\/v2\/webhooks\/([^/]+)$/, handler: async ({ params: [id], caller }) => success(200, webhookOutput(mine(id, caller.id))) },
    {
      method: 'PATCH',
      pattern: /^\/v2\/webhooks\/([^/]+)$/,
      handler: async ({ params: [id], body, caller }) => success(200, webhookOutput(subscriptions.update(String(mine(id, caller.id).id), body))),
    },
    {
      method: 'DELETE',
      pattern: /^\/v2\/webhooks\/([^/]+)$/,
      handler: async ({ params: [id], caller }) => success(200, webhookOutput(subscriptions.delete(String(mine(id, caller.id).id)))),
    },
  ];
}

function pagingParam(query: URLSearchParams, name: string, fallback: number, min: number, max: number): number {
  const value = query.get(name);
  if (value === null) return fallback;
  if (!/^\d+$/.test(value) || Number(value) < min || Number(value) > max) throw badRequest(`${name} must be a whole number from ${min} to ${max}`);
  return Number(value);
}
