import { setTimeout as delay } from 'node:timers/promises';
import {
  appointmentStream,
  calcomSyncStream,
  type CalcomWebhook,
  type CalcomWebhookApplied,
  type CalcomWebhookEvent,
  type CalcomWebhookReceived,
  calcomWebhookWorkflow,
  type ConflictPolicy,
  parseCalcomWebhook,
  type WebhookDecision,
} from '#domain';
import { DuplicateEventIdError, type EventMetadata, type EventStore, type Position, type RecordedEvent, WrongExpectedRevisionError, isOutage } from '#event-store';
import { derivedId, factEventIds } from './derived-id.js';
import type { WebhookTargetLoader } from './webhook-target.loader.js';

export interface FactApplication {
  outcome: CalcomWebhookApplied['data']['outcome'] | 'skipped';
  /** The position of the last event written, when something was. */
  position: Position | null;
  /** When the outcome is `failed`: the bookings whose lane it holds; `orphan`: the bookings it waits for. */
  bookingUids?: string[];
}

/** How often a fact is tried (with backoff) before it is recorded as `failed`; the last wait is the longest. */
export interface FactAttempts {
  attempts: number;
  initialDelayMs: number;
}

export const DEFAULT_FACT_ATTEMPTS: FactAttempts = { attempts: 4, initialDelayMs: 200 };

/** Lost races on the appointment stream, re-decided at once on fresh state within one attempt. */
const MAX_RACES = 5;
const MAX_REASON_LENGTH = 500;
export type Received = RecordedEvent<CalcomWebhookReceived>;

/**
 * Applies one webhook fact: find the appointment, decide (pure), then write the appointment's events, the sync's
 * observations, and the outcome in the fact's own stream, in that order. Every id is derived from the fact, so
 * after a crash anywhere in between, applying it again writes nothing twice.
 */
export class WebhookFactTranslator {
  constructor(
    private readonly store: EventStore,
    private readonly targets: WebhookTargetLoader,
    private readonly policy: ConflictPolicy,
    private readonly attempts: FactAttempts = DEFAULT_FACT_ATTEMPTS,
  ) {}

  /** A new batch: the read models have caught up to it, so what was read for the last one may be stale. */
  startBatch(): void {
    this.targets.forgetCatalog();
  }

  /** The bookings a fact is about: facts that share one are applied in order, others side by side. */
  bookingUidsOf(received: RecordedEvent): string[] {
    const webhook = this.readable(received as Received);
    return webhook ? [webhook.bookingUid, webhook.rescheduleUid].filter((uid): uid is string => uid !== null) : [];
  }

  /** A fact just read from the store, applied for the first time (or again after a crash: nothing is written twice). */
  applyNew(received: RecordedEvent): Promise<FactApplication> {
    return this.attempted(received as Received, 0, false);
  }

  /** An orphan whose booking may be known now; a fact with any other outcome is left alone. */
  async reapplyOrphan(factStream: string): Promise<FactApplication> {
    const fact = await this.factWithOutcome(factStream, 'orphan');
    return fact ? this.attempted(fact.received, fact.revision, true) : { outcome: 'skipped', position: null };
  }

  /**
   * A failed fact an admin asked to apply again (its stream ends with CalcomWebhookRetryRequested). Answers with the
   * outcome that stands afterwards: a replayed request finds the outcome its first handling wrote.
   */
  async retryFailed(factStream: string): Promise<FactApplication> {
    const history = await this.store.readStream<CalcomWebhookEvent>(factStream);
    const received = history.at(0);
    const last = history.at(-1);
    if (received?.type !== 'CalcomWebhookReceived') return { outcome: 'skipped', position: null };
    if (last?.type === 'CalcomWebhookRetryRequested') return this.attempted(received, history.length - 1, false);
    const outcome = history.findLast((event) => event.type === 'CalcomWebhookApplied')?.data.outcome;
    return { outcome: outcome ?? 'skipped', position: null };
  }

  /** A fact recorded as `waiting` (null when it is not): where its next outcome goes. */
  waitingFact(factStream: string): Promise<{ received: Received; revision: number } | null> {
    return this.factWithOutcome(factStream, 'waiting');
  }

  /** A waiting fact whose lane is free again, applied as a new one would be. */
  applyReleased(received: Received, revision: number): Promise<FactApplication> {
    return this.attempted(received, revision, false);
  }

  /** A later fact of a booking whose earlier fact failed: it waits behind that one, and is applied after it. */
  recordWaiting(received: Received, revision: number, waitsFor: string): Promise<FactApplication> {
    const webhook = this.readable(received);
    return this.recordOutcome(
      received,
      revision,
      webhook,
      { outcome: 'waiting', appointmentId: null, reason: `Waits behind ${waitsFor}, an earlier fact of its booking that failed` },
      waitsFor,
    );
  }

  private async factWithOutcome(factStream: string, outcome: string): Promise<{ received: Received; revision: number } | null> {
    const history = await this.store.readStream<CalcomWebhookEvent>(factStream);
    const received = history.at(0);
    const last = history.at(-1);
    if (received?.type !== 'CalcomWebhookReceived' || last?.type !== 'CalcomWebhookApplied' || last.data.outcome !== outcome) return null;
    return { received, revision: history.length - 1 };
  }

  /**
   * Every attempt has an end: a fact that still cannot be applied after the last one is recorded as `failed` with
   * the reason (and the translator holds only its booking's lane). An outage is not the fact's fault: it is thrown,
   * the subscription waits it out and the fact is tried again from the start.
   */
  private async attempted(received: Received, factRevision: number, reapply: boolean): Promise<FactApplication> {
    const seen: { appointmentId: string | null } = { appointmentId: null };
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.applyAt(received, factRevision, reapply, seen);
      } catch (error) {
        if (isOutage(error)) throw error;
        if (attempt >= this.attempts.attempts) {
          const reason = `Not applied after ${attempt} attempts: ${describe(error)}`;
          const recorded = await this.recordOutcome(received, factRevision, this.readable(received), { outcome: 'failed', appointmentId: seen.appointmentId, reason });
          return { ...recorded, bookingUids: this.bookingUidsOf(received) };
        }
        await delay(this.attempts.initialDelayMs * 3 ** (attempt - 1));
      }
    }
  }

  private async applyAt(received: Received, factRevision: number, reapply: boolean, seen: { appointmentId: string | null }): Promise<FactApplication> {
    const parsed = parseCalcomWebhook(received.data.body, received.data.contentType);
    // A fact stored before the input rules existed: read safely, never applied, kept with the reason.
    if (!parsed.ok)
      return this.recordOutcome(received, factRevision, null, { outcome: 'ignored', appointmentId: null, reason: `Refused by the webhook input rules: ${parsed.reason}` });
    for (let race = 1; ; race++) {
      try {
        return await this.decideAndWrite(received, factRevision, parsed.webhook, reapply, seen);
      } catch (error) {
        if (!(error instanceof WrongExpectedRevisionError) || race >= MAX_RACES) throw error;
      }
    }
  }

  private readable(received: Received): CalcomWebhook | null {
    const parsed = parseCalcomWebhook(received.data.body, received.data.contentType);
    return parsed.ok ? parsed.webhook : null;
  }

  private async decideAndWrite(
    received: Received,
    factRevision: number,
    webhook: CalcomWebhook,
    reapply: boolean,
    seen: { appointmentId: string | null },
  ): Promise<FactApplication> {
    const factId = received.id;
    const appointmentId = await this.targets.appointmentIdOf(webhook, factId);
    seen.appointmentId = appointmentId;
    const loaded = appointmentId ? await this.targets.load(appointmentId, factId) : null;
    const fact = {
      factId,
      webhook,
      catalog: await this.targets.catalog(),
      newAppointmentId: derivedId('calcom-booking', webhook.bookingUid ?? factId),
      conflictId: derivedId(factId, 'conflict'),
      policy: this.policy,
    };
    const decision = calcomWebhookWorkflow.decide(fact, loaded?.target ?? null);
    seen.appointmentId = decision.appointmentId ?? appointmentId;
    if (reapply && decision.outcome === 'orphan') return { outcome: 'orphan', position: null };

    let position: Position | null = null;
    const metadata = this.metadataFor(received, webhook);
    // What an earlier, interrupted application wrote stands; only what is missing is written now.
    if (decision.appointmentEvents.length > 0 && decision.appointmentId && !loaded?.written.appointment) {
      const after = loaded?.appendAfterRevision ?? -1;
      const events = decision.appointmentEvents.map((event, index) => ({ id: factEventIds.appointment(factId, index), ...event, metadata }));
      position = (await this.store.appendToStream(appointmentStream(decision.appointmentId), events, { expectedRevision: after < 0 ? 'no_stream' : after })).position;
    }
    if (decision.syncEvents.length > 0 && decision.appointmentId && !loaded?.written.sync) {
      const events = decision.syncEvents.map((event, index) => ({ id: factEventIds.sync(factId, index), ...event, metadata }));
      position = (await this.store.appendToStream(calcomSyncStream(decision.appointmentId), events)).position;
    }
    this.rememberLinks(decision);
    const recorded = await this.recordOutcome(received, factRevision, webhook, decision);
    // As the outcome stores them, which is where a later lookup of orphans by uid finds them.
    const uids = [webhook.bookingUid ?? received.data.bookingUid, webhook.rescheduleUid].filter((uid): uid is string => typeof uid === 'string');
    const waitsFor = decision.outcome === 'orphan' ? { bookingUids: uids } : {};
    return { outcome: decision.outcome, position: recorded.position ?? position, ...waitsFor };
  }

  private async recordOutcome(
    received: Received,
    factRevision: number,
    webhook: CalcomWebhook | null,
    decision: { outcome: CalcomWebhookApplied['data']['outcome']; appointmentId: string | null; reason: string },
    waitsFor: string | null = null,
  ): Promise<FactApplication> {
    const applied: CalcomWebhookApplied = {
      type: 'CalcomWebhookApplied',
      data: {
        factId: received.id,
        outcome: decision.outcome,
        appointmentId: decision.appointmentId,
        reason: decision.reason,
        triggerEvent: received.data.triggerEvent,
        bookingUid: webhook?.bookingUid ?? received.data.bookingUid,
        previousBookingUid: webhook?.rescheduleUid ?? null,
        ...(waitsFor ? { waitsFor } : {}),
      },
    };
    try {
      const { position } = await this.store.appendToStream(
        received.streamName,
        [{ id: factEventIds.applied(received.id, factRevision), ...applied, metadata: { ...this.metadataFor(received, webhook), actor: 'calcom-webhook-translator' } }],
        { expectedRevision: factRevision },
      );
      return { outcome: decision.outcome, position };
    } catch (error) {
      // Applied before (a batch replayed after a crash): its outcome stands, and what was just written repeated it.
      if (error instanceof WrongExpectedRevisionError || error instanceof DuplicateEventIdError) return { outcome: 'skipped', position: null };
      throw error;
    }
  }

  private rememberLinks(decision: WebhookDecision): void {
    for (const event of decision.syncEvents) {
      if (event.type === 'CalcomBookingObserved' && decision.appointmentId) this.targets.remember(event.data.booking.uid, decision.appointmentId);
    }
  }

  /** Appointment events made from a fact: source calcom, caused by the fact, in the correlation of its delivery. */
  private metadataFor(received: Received, webhook: CalcomWebhook | null): EventMetadata {
    return {
      actor: webhook?.changedBy ? `calcom:${webhook.changedBy}` : 'calcom',
      source: 'calcom',
      correlationId: received.metadata.correlationId,
      causationId: received.id,
      trigger: received.data.triggerEvent,
    };
  }
}

/** An error as a reason that can be stored and shown: one line, bounded, nothing PostgreSQL would refuse. */
function describe(error: unknown): string {
  const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return message
    .replace(/[\u0000-\u001F\u007F]+/g, ' ')
    .replace(/[\uD800-\uDFFF]/g, '?')
    .slice(0, MAX_REASON_LENGTH);
}
