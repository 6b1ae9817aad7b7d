import { randomBytes } from 'node:crypto';
import type { DataSource } from 'typeorm';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS calcom_webhook_subscription (
  subscriber_url text PRIMARY KEY,
  subscription_id bigint NOT NULL,
  secret text NOT NULL,
  previous_secret text,
  previous_valid_until timestamptz,
  updated_at timestamptz NOT NULL DEFAULT now()
)`;

/** The ledger's own webhook subscription on Cal.com, as the ledger remembers it. Never logged: it holds the secret. */
export interface StoredSubscription {
  subscriberUrl: string;
  subscriptionId: number;
  secret: string;
  previousSecret: string | null;
  previousValidUntil: Date | null;
}

/** How long an instance trusts what it read: a disconnect or rotation elsewhere takes effect here within this. */
const CACHE_TTL_MS = 2_000;

/** 32 random bytes, as Cal.com's own generated secrets are long: hex so it survives any header or form. */
export const newWebhookSecret = (): string => randomBytes(32).toString('hex');

/**
 * The secrets of the subscriptions the ledger registered (connect), kept in PostgreSQL so that every instance checks
 * webhooks with them and a restart keeps them. After a rotation the previous secret stays valid until
 * `previous_valid_until`, for deliveries Cal.com signed before it took the new one.
 */
export class CalcomWebhookSecrets {
  private cached: StoredSubscription[] | null = null;
  private readAt = 0;
  private refreshing: Promise<StoredSubscription[]> | null = null;

  static async open(dataSource: DataSource, now: () => Date = () => new Date()): Promise<CalcomWebhookSecrets> {
    await dataSource.transaction(async (manager) => {
      await manager.query(`SELECT pg_advisory_xact_lock(hashtextextended('ledger:calcom-webhook-subscription-schema', 0))`);
      await manager.query(SCHEMA);
    });
    return new CalcomWebhookSecrets(dataSource, now);
  }

  private constructor(
    private readonly dataSource: DataSource,
    private readonly now: () => Date,
  ) {}

  async all(): Promise<StoredSubscription[]> {
    const rows: { subscriber_url: string; subscription_id: string; secret: string; previous_secret: string | null; previous_valid_until: Date | null }[] =
      await this.dataSource.query(`SELECT subscriber_url, subscription_id, secret, previous_secret, previous_valid_until FROM calcom_webhook_subscription ORDER BY subscriber_url`);
    this.readAt = this.now().getTime();
    this.cached = rows.map((row) => ({
      subscriberUrl: row.subscriber_url,
      subscriptionId: Number(row.subscription_id),
      secret: row.secret,
      previousSecret: row.previous_secret,
      previousValidUntil: row.previous_valid_until === null ? null : new Date(row.previous_valid_until),
    }));
    return this.cached;
  }

  async find(subscriberUrl: string): Promise<StoredSubscription | null> {
    return (await this.all()).find((stored) => stored.subscriberUrl === subscriberUrl) ?? null;
  }

  /** Saves the subscription with its secret; a changed secret keeps the old one valid for `overlapMs`. */
  async save(subscriberUrl: string, subscriptionId: number, secret: string, overlapMs: number): Promise<void> {
    const validUntil = new Date(this.now().getTime() + overlapMs);
    await this.dataSource.query(
      `INSERT INTO calcom_webhook_subscription (subscriber_url, subscription_id, secret) VALUES ($1, $2, $3)
       ON CONFLICT (subscriber_url) DO UPDATE SET
         subscription_id = EXCLUDED.subscription_id,
         previous_secret = CASE WHEN calcom_webhook_subscription.secret = EXCLUDED.secret THEN calcom_webhook_subscription.previous_secret ELSE calcom_webhook_subscription.secret END,
         previous_valid_until = CASE WHEN calcom_webhook_subscription.secret = EXCLUDED.secret THEN calcom_webhook_subscription.previous_valid_until ELSE $4 END,
         secret = EXCLUDED.secret,
         updated_at = now()`,
      [subscriberUrl, subscriptionId, secret, validUntil],
    );
    await this.all();
  }

  async remove(subscriberUrl: string): Promise<void> {
    await this.dataSource.query(`DELETE FROM calcom_webhook_subscription WHERE subscriber_url = $1`, [subscriberUrl]);
    await this.all();
  }

  /**
   * The secrets a delivery may be signed with now, read again when older than CACHE_TTL_MS (a disconnect elsewhere).
   * `fresh` reads them at once (coalesced): another instance may have just registered or rotated, and Cal.com does
   * not send a webhook twice.
   */
  async valid(fresh: boolean): Promise<string[]> {
    let subscriptions = this.cached;
    if (!subscriptions || fresh || this.now().getTime() - this.readAt > CACHE_TTL_MS) {
      this.refreshing ??= this.all().finally(() => (this.refreshing = null));
      subscriptions = await this.refreshing;
    }
    const at = this.now().getTime();
    return subscriptions.flatMap((stored) => [
      stored.secret,
      ...(stored.previousSecret && stored.previousValidUntil && stored.previousValidUntil.getTime() > at ? [stored.previousSecret] : []),
    ]);
  }
}
