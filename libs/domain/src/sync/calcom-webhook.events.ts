import type { Event } from '../event.js';

/**
 * A webhook delivery from Cal.com is an external fact, kept once in `calcomwebhook-<sha256(body), 32 hex>`:
 * first the raw delivery (written by the intake), then what the translator made of it. A redelivered identical
 * body lands on the same stream and is recognised as a duplicate.
 */
export type CalcomWebhookReceived = Event<
  'CalcomWebhookReceived',
  {
    receivedAt: string;
    contentType: string | null;
    /** The raw body as received (UTF-8): the signature was checked on exactly these bytes. */
    body: string;
    triggerEvent: string;
    bookingUid: string | null;
  }
>;

/**
 * - applied: appointment events were recorded from it;
 * - echo: Cal.com reported what the ledger already has or what the sync itself did;
 * - conflict: Cal.com and the ledger changed the appointment concurrently (a SyncConflictDetected was recorded);
 * - orphan: about a booking nobody knows yet; re-applied when its uid becomes known;
 * - unmapped: a booking whose host or event type is not in the catalog;
 * - ignored: a fact that changes nothing (unknown trigger, PING, a status for a cancelled appointment…), or one that
 *   breaks the webhook input rules (stored before they existed);
 * - failed: it could not be applied after a bounded number of attempts (the reason says why); re-applied when an
 *   admin asks (CalcomWebhookRetryRequested);
 * - waiting: a later fact of a booking whose earlier fact failed: it waits behind that one (`waitsFor`) and is
 *   applied, in order, once that one is.
 */
export type WebhookOutcome = 'applied' | 'echo' | 'conflict' | 'orphan' | 'unmapped' | 'ignored' | 'failed' | 'waiting';

export const WEBHOOK_OUTCOMES: readonly WebhookOutcome[] = ['applied', 'echo', 'conflict', 'orphan', 'unmapped', 'ignored', 'failed', 'waiting'];

export type CalcomWebhookApplied = Event<
  'CalcomWebhookApplied',
  {
    /** The CalcomWebhookReceived event id. */
    factId: string;
    outcome: WebhookOutcome;
    appointmentId: string | null;
    reason: string;
    triggerEvent: string;
    bookingUid: string | null;
    /** For a reschedule, the booking it replaced: an orphan waits for either uid to become known. */
    previousBookingUid: string | null;
    /** `waiting` only: the fact stream of the failed fact this one waits behind. */
    waitsFor?: string | null;
  }
>;

/** An admin asked for a failed fact to be applied again; the translator does it, then the facts waiting behind it. */
export type CalcomWebhookRetryRequested = Event<
  'CalcomWebhookRetryRequested',
  {
    factId: string;
    requestedBy: string;
  }
>;

export type CalcomWebhookEvent = CalcomWebhookReceived | CalcomWebhookApplied | CalcomWebhookRetryRequested;

export const calcomWebhookStreamPrefix = 'calcomwebhook-';
/** `bodyHash` is the hex SHA-256 of the raw body; the first 32 characters name the stream. */
export const calcomWebhookStream = (bodyHash: string): string => `${calcomWebhookStreamPrefix}${bodyHash.slice(0, 32)}`;
