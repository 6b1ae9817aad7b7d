import { isUtf8 } from 'node:buffer';
import { createHash, randomUUID } from 'node:crypto';
import { calcomWebhookStream, MalformedWebhookError, noteWebhookFactRead, parseCalcomWebhook, type CalcomWebhookReceived } from '#domain';
import { type AppendResult, GroupCommitFullError, type StreamAppend, WrongExpectedRevisionError } from '#event-store';
import { verifyCalcomWebhook } from '#calcom';
import { InvalidSignatureError, WebhookIntakeBusyError } from '../http/transport.errors.js';

/** How a fact is appended: together with other deliveries' facts (GroupCommitAppender), answered once committed. */
export type FactAppender = (append: StreamAppend) => Promise<AppendResult>;

/** Secrets of the subscriptions the ledger registered itself (calcom-connect); `fresh` reads them again. */
export interface ConnectedWebhookSecrets {
  valid(fresh: boolean): Promise<string[]>;
}

export interface WebhookDelivery {
  rawBody: Buffer;
  signature: string | string[] | undefined;
  contentType: string | null;
  correlationId: string;
}

export interface WebhookReceipt {
  received: true;
  duplicate: boolean;
  /** The fact's stream; the same for a redelivered identical body. */
  factStream: string;
  /** The CalcomWebhookReceived event id; null for a duplicate (the first delivery holds it). */
  factId: string | null;
}

/** About how long a full queue (5,000 by default) takes to drain at 1,000 deliveries/s. Cal.com itself does not retry (see the busy error). */
const BUSY_RETRY_AFTER_SECONDS = 5;

/**
 * Takes a Cal.com delivery in: signature on the raw bytes (constant time), a body that can be read, names its trigger
 * and keeps the webhook input rules (UTF-8, no NUL or unpaired surrogates, no prototype keys, bounded depth, every
 * field the ledger reads valid), then one append that is the whole of the durable work, committed together with
 * the facts of concurrent deliveries (one flush for many) and answered only once its own transaction has committed.
 * The translator does the rest from the store.
 */
export class CalcomWebhookIntake {
  constructor(
    private readonly append: FactAppender,
    private readonly secret: string | null,
    private readonly now: () => Date = () => new Date(),
    private readonly connected: ConnectedWebhookSecrets | null = null,
  ) {}

  async receive({ rawBody, signature, contentType, correlationId }: WebhookDelivery): Promise<WebhookReceipt> {
    if (!(await this.signedByAKnownSecret(rawBody, signature))) throw new InvalidSignatureError();
    // Bytes that are not UTF-8 would be stored as U+FFFD: the fact would no longer be what was signed.
    if (!isUtf8(rawBody)) throw new MalformedWebhookError('the body is not valid UTF-8');
    const body = rawBody.toString('utf8');
    // The same rules as the translator's (see calcom-webhook.parser.ts): what is refused here is never stored.
    const parsed = parseCalcomWebhook(body, contentType);
    if (!parsed.ok) throw new MalformedWebhookError(parsed.reason);
    const factStream = calcomWebhookStream(createHash('sha256').update(rawBody).digest('hex'));
    const fact: CalcomWebhookReceived = {
      type: 'CalcomWebhookReceived',
      data: {
        receivedAt: this.now().toISOString(),
        contentType,
        body,
        triggerEvent: parsed.webhook.triggerEvent,
        bookingUid: parsed.webhook.bookingUid,
      },
    };
    // Sealing the body under its booker's key finds the booker here rather than reading the body a second time.
    noteWebhookFactRead(fact.data, parsed.webhook);
    const factId = randomUUID();
    try {
      await this.append({
        streamName: factStream,
        events: [{ id: factId, type: fact.type, data: fact.data, metadata: { actor: 'calcom', source: 'calcom', correlationId, causationId: null } }],
        expectedRevision: 'no_stream',
      });
      return { received: true, duplicate: false, factStream, factId };
    } catch (error) {
      if (error instanceof WrongExpectedRevisionError) return { received: true, duplicate: true, factStream, factId: null };
      if (error instanceof GroupCommitFullError) throw new WebhookIntakeBusyError(BUSY_RETRY_AFTER_SECONDS);
      throw error;
    }
  }

  /** CALCOM_WEBHOOK_SECRET, then the connected subscriptions' secrets (read again once before refusing). */
  private async signedByAKnownSecret(rawBody: Buffer, signature: string | string[] | undefined): Promise<boolean> {
    if (this.secret && verifyCalcomWebhook(rawBody, signature, this.secret)) return true;
    if (!this.connected) return false;
    for (const fresh of [false, true]) {
      if ((await this.connected.valid(fresh)).some((secret) => verifyCalcomWebhook(rawBody, signature, secret))) return true;
    }
    return false;
  }
}
