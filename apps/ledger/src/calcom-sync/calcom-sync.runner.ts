import { randomUUID } from 'node:crypto';
import {
  type BookingCopy,
  type CalcomCall,
  type CalcomErrorSummary,
  type CalcomOperation,
  type CalcomSyncInput,
  type CalcomSyncStep,
  calcomSyncWorkflow,
  canonicalJson,
  type InFlightOperation,
} from '#domain';
import { type CalcomClient, type CalcomError, isCalcomError } from '#calcom';
import { type EventStore, WrongExpectedRevisionError } from '#event-store';
import type { WorkOutcome } from './appointment-work-queue.js';
import type { CalcomCatalog } from './calcom-catalog.js';
import type { CalcomKeyOwner } from './calcom-key-owner.js';
import { executeCalcomCall, verifyCalcomOperation, type Verification } from './calcom-operations.js';
import type { CalcomSyncRecorder } from './calcom-sync.recorder.js';
import { type CalcomSyncInputs, loadCalcomSyncInputs } from './calcom-sync.inputs.js';
import { budgetUse, type OperationBudget } from './operation-budget.js';
import { type RetryBackoffSettings, retryDelayMs } from './retry-backoff.js';

export interface CalcomSyncRunnerDeps {
  store: EventStore;
  client: CalcomClient;
  catalog: CalcomCatalog;
  recorder: CalcomSyncRecorder;
  backoff: RetryBackoffSettings;
  budget: OperationBudget;
  /** Who reschedules on Cal.com (`rescheduledBy`); absent: reschedules go without it. */
  keyOwner?: CalcomKeyOwner;
  /** Called once per operation when a failure takes it past half its budget (the metric). */
  onPastHalfBudget?: (operation: CalcomOperation) => void;
  now: () => Date;
  random?: () => number;
  logger?: { warn(message: string, ...context: unknown[]): void };
}

/** A bound on steps per run: a loop that keeps finding work (say, a host Cal.com keeps changing) pauses, then goes on. */
const MAX_STEPS_PER_RUN = 12;

/**
 * One appointment's reconciliation: read → decide → do one step → record it, until the decision is to wait.
 * Every step starts from freshly read streams, so whatever a crash interrupted, the next run picks it up.
 */
export class CalcomSyncRunner {
  constructor(private readonly deps: CalcomSyncRunnerDeps) {}

  async reconcile(appointmentId: string): Promise<WorkOutcome> {
    /** The in-flight operation Cal.com was just read and found not to have: decide afresh instead of looking again. */
    let notApplied: string | null = null;
    /** What the run learned on the way (an event type Cal.com would not describe): said with the call it leads to. */
    let note: string | null = null;
    for (let step = 0; step < MAX_STEPS_PER_RUN; step++) {
      const snapshot = await loadCalcomSyncInputs(this.deps.store, this.deps.catalog, appointmentId);
      const decision = this.decide(snapshot, notApplied);
      try {
        const next = await this.perform(snapshot, decision, note);
        if (next.done) return { retryAt: next.retryAt };
        notApplied = next.notApplied ?? null;
        if (next.note !== undefined) note = next.note;
      } catch (error) {
        if (!(error instanceof WrongExpectedRevisionError)) throw error;
        // Someone wrote the sync stream after our read (a webhook observation): decide again on what is there now.
      }
    }
    this.deps.logger?.warn?.(`Cal.com sync of ${appointmentId} took ${MAX_STEPS_PER_RUN} steps without settling; looking again shortly`);
    return { retryAt: this.later(this.deps.backoff.initialDelayMs) };
  }

  /** The sync's state is the fold of its own stream; everything else the step depends on is the input. */
  private decide(snapshot: CalcomSyncInputs, notApplied: string | null): CalcomSyncStep {
    const { appointmentId, appointment, ledgerVersion, ledgerChangedVersion, target, sync } = snapshot;
    const input: CalcomSyncInput = {
      appointmentId,
      appointment,
      ledgerVersion,
      ledgerChangedVersion,
      target,
      bookingEventTypeScheduling: this.deps.catalog.schedulingOf(sync.booking?.eventTypeId),
      bookingEventTypeFixedHosts: this.deps.catalog.fixedHostsOf(sync.booking?.eventTypeId),
      inFlightNotApplied: notApplied !== null && sync.inFlight?.operationId === notApplied,
      newOperationId: randomUUID(),
      now: this.deps.now().toISOString(),
    };
    return calcomSyncWorkflow.decide(input, sync);
  }

  private async perform(snapshot: CalcomSyncInputs, step: CalcomSyncStep, note: string | null): Promise<StepResult> {
    switch (step.kind) {
      case 'idle':
        return { done: true, retryAt: null };
      case 'wait':
        return { done: true, retryAt: step.until };
      case 'load-event-types': {
        const eventTypeId = snapshot.sync.booking?.eventTypeId;
        const learned = eventTypeId === undefined ? null : await this.deps.catalog.learnEventType(eventTypeId);
        if (learned) this.deps.logger?.warn?.(`Cal.com sync of ${snapshot.appointmentId}: ${learned}`);
        return { done: false, note: learned };
      }
      case 'complete':
        // Appended at the revision it was decided on: the sync stream is as read plus this, which on the same inputs
        // decides idle. Anything that changed the inputs meanwhile (the appointment, a write to the sync stream from
        // elsewhere) reaches the process manager, which looks at the appointment again; so the run ends here instead
        // of reading both streams once more to be told so.
        await this.deps.recorder.completed(snapshot, step.ledgerVersion, step.bookingUid);
        return { done: true, retryAt: null };
      case 'refuse':
        await this.deps.recorder.refused(snapshot, {
          operationId: step.operationId,
          operation: step.operation,
          error: step.error,
          permanent: true,
          outcomeUnknown: false,
          attempt: snapshot.sync.attempts + 1,
          nextRetryAt: null,
          ledgerVersion: snapshot.ledgerVersion,
        });
        return { done: false };
      case 'verify':
        return this.verify(snapshot, step.operation);
      case 'call':
        return this.call(snapshot, step.call, note ? `${step.reason}; ${note}` : step.reason);
    }
  }

  private async call(snapshot: CalcomSyncInputs, call: CalcomCall, reason: string): Promise<StepResult> {
    await this.deps.recorder.started(snapshot, call, reason);
    let booking: BookingCopy;
    try {
      const rescheduledBy = call.operation === 'reschedule' ? ((await this.deps.keyOwner?.emailForRescheduledBy()) ?? null) : null;
      booking = await executeCalcomCall(this.deps.client, call, snapshot.sync.booking, rescheduledBy);
    } catch (error) {
      if (!isCalcomError(error)) throw error;
      if (error.kind === 'permanent') return this.afterRefusal(snapshot, call, error);
      return this.failed(snapshot, call, error, error.outcomeUnknown);
    }
    await this.deps.recorder.succeeded(snapshot, call.operationId, call.operation, booking, false);
    return { done: false };
  }

  /** A 4xx may mean "done already" (a repeat after a lost answer): read before calling it a failure. */
  private async afterRefusal(snapshot: CalcomSyncInputs, call: CalcomCall, refusal: CalcomError): Promise<StepResult> {
    let verification: Verification;
    try {
      verification = await verifyCalcomOperation(this.deps.client, call);
    } catch (error) {
      if (!isCalcomError(error)) throw error;
      return this.failed(snapshot, call, error, true, 'lookup');
    }
    if (verification.applied) {
      await this.deps.recorder.succeeded(snapshot, call.operationId, call.operation, verification.booking, true);
      return { done: false };
    }
    await this.observeIfNew(snapshot, verification.observed);
    await this.deps.recorder.failed(snapshot, failure(snapshot, call, summary(refusal), { permanent: true, outcomeUnknown: false, nextRetryAt: null }));
    return { done: false };
  }

  private async verify(snapshot: CalcomSyncInputs, operation: InFlightOperation): Promise<StepResult> {
    let verification: Verification;
    try {
      verification = await verifyCalcomOperation(this.deps.client, operation);
    } catch (error) {
      if (!isCalcomError(error)) throw error;
      return this.failed(snapshot, operation, error, true, 'lookup');
    }
    if (verification.applied) {
      await this.deps.recorder.succeeded(snapshot, operation.operationId, operation.operation, verification.booking, true);
      return { done: false };
    }
    await this.observeIfNew(snapshot, verification.observed);
    const lastAnswer = snapshot.sync.lastError;
    if (lastAnswer && budgetUse(snapshot.sync, snapshot.sync.attempts, this.deps.now().getTime(), this.deps.budget).spent) {
      // Not done on Cal.com, and no attempt left: give up with Cal.com's last answer (a notification, `failed`).
      return this.giveUp(snapshot, operation, { code: lastAnswer.code, message: lastAnswer.message, status: lastAnswer.status }, snapshot.sync.attempts);
    }
    return { done: false, notApplied: operation.operationId };
  }

  /**
   * A failed attempt, within its operation's budget or not. A spent budget ends the operation only once Cal.com is
   * known not to have done it: at once when the failure says so, else after looking (right now, not after a backoff),
   * so the exactly-once rule holds. A failed look itself is retried with backoff: reads, never another mutation.
   */
  private async failed(
    snapshot: CalcomSyncInputs,
    call: Pick<CalcomCall, 'operationId' | 'operation' | 'ledgerVersion'>,
    error: CalcomError,
    outcomeUnknown: boolean,
    during: 'call' | 'lookup' = 'call',
  ): Promise<StepResult> {
    const attempt = snapshot.sync.attempts + 1;
    const delayMs = retryDelayMs(attempt, this.deps.backoff, (this.deps.random ?? Math.random)(), error.retryAfterMs);
    const use = budgetUse(snapshot.sync, attempt, this.deps.now().getTime(), this.deps.budget, delayMs);
    const pastHalfBudget = this.countPastHalf(snapshot, call.operation, use.pastHalf);
    if (use.spent && !outcomeUnknown) return this.giveUp(snapshot, call, summary(error), attempt, pastHalfBudget);
    const lookNow = use.spent && during === 'call';
    const nextRetryAt = this.later(lookNow ? 0 : delayMs);
    await this.deps.recorder.failed(snapshot, { ...failure(snapshot, call, summary(error), { permanent: false, outcomeUnknown, nextRetryAt }), pastHalfBudget });
    return lookNow ? { done: false } : { done: true, retryAt: nextRetryAt };
  }

  private async giveUp(
    snapshot: CalcomSyncInputs,
    call: Pick<CalcomCall, 'operationId' | 'operation' | 'ledgerVersion'>,
    lastAnswer: CalcomErrorSummary,
    attempt: number,
    pastHalfBudget = true,
  ): Promise<StepResult> {
    const { maxAttempts, maxMs } = this.deps.budget;
    this.deps.logger?.warn?.(
      `Cal.com ${call.operation} for ${snapshot.appointmentId} gave up after ${attempt} attempt(s) (budget ${maxAttempts} attempts, ${maxMs} ms); Cal.com last answered ${lastAnswer.status ?? '-'} ${lastAnswer.code}: ${lastAnswer.message}`,
    );
    const outcome = { permanent: true, outcomeUnknown: false, nextRetryAt: null };
    await this.deps.recorder.failed(snapshot, { ...failure(snapshot, call, lastAnswer, outcome), attempt, pastHalfBudget, budgetSpent: true });
    return { done: false };
  }

  private countPastHalf(snapshot: CalcomSyncInputs, operation: CalcomOperation, pastHalf: boolean): boolean {
    if (pastHalf && snapshot.sync.budgetPastHalf !== true) this.deps.onPastHalfBudget?.(operation);
    return pastHalf;
  }

  private async observeIfNew(snapshot: CalcomSyncInputs, observed: BookingCopy | null): Promise<void> {
    if (!observed || canonicalJson(observed) === canonicalJson(snapshot.sync.booking)) return;
    await this.deps.recorder.observed(snapshot, observed);
  }

  private later(ms: number): string {
    return new Date(this.deps.now().getTime() + ms).toISOString();
  }
}

type StepResult = { done: true; retryAt: string | null } | { done: false; notApplied?: string; note?: string | null };

function failure(
  snapshot: CalcomSyncInputs,
  call: Pick<CalcomCall, 'operationId' | 'operation' | 'ledgerVersion'>,
  error: CalcomErrorSummary,
  outcome: { permanent: boolean; outcomeUnknown: boolean; nextRetryAt: string | null },
) {
  return { operationId: call.operationId, operation: call.operation, error, attempt: snapshot.sync.attempts + 1, ledgerVersion: call.ledgerVersion, ...outcome };
}

/** Cal.com's own message, verbatim, with our stable code and its HTTP status. */
function summary(error: CalcomError): CalcomErrorSummary {
  return { code: error.code, message: error.message, status: error.status ?? null };
}
