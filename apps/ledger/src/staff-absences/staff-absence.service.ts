import { createHash, randomUUID } from 'node:crypto';
import { type CommandBus } from '@nestjs/cqrs';
import { AbsencePlanChangedError, CommandTimeoutError, decideAbsence, planDifferences, type PlanStep, staffAbsencesStream, ValidationFailedError } from '#domain';
import type { EventMetadata, EventStore } from '#event-store';
import type { CommandResult } from '../appointments/appointment-command.service.js';
import { CancelAppointment } from '../appointments/cancel-appointment.command.js';
import { ReassignStaff } from '../appointments/reassign-staff.command.js';
import type { StaffCalendarLock } from '../appointments/staff-calendar.lock.js';
import type { ErrorBody } from '../http/error-body.js';
import { HttpExceptionFilter } from '../http/http-exception.filter.js';
import { fingerprintOf, type IdempotentRequests } from '../idempotency/idempotent-requests.js';
import type { ReadModelsCaughtUp } from '../read-your-writes.js';
import type { AbsencePlanner, AbsenceRequest } from './absence-planner.js';
import type { AbsencePlans } from './absence-plans.js';
import type { RecordStaffAbsenceDto } from './staff-absence.dto.js';
import type { StaffPresence } from './staff-presence.js';

const SCOPE = 'staff-absence';
/** Absences are planned and carried out one at a time; the next waits this long for its turn (a run takes seconds). */
const PLANNING_TURN_WAIT_MS = 60_000;

export type StepOutcome = { status: number; version?: number; error?: ErrorBody['error'] };
export type CarriedOutStep = PlanStep & { outcome: StepOutcome };

/** The real call's request: the absence, and the plan (by fingerprint) the client accepted. */
type AbsenceToRecord = AbsenceRequest & { absenceId: string; reason: string; planFingerprint: string };

export interface AbsenceAnswer {
  absenceId: string;
  staffId: string;
  from: string;
  to: string;
  reason: string;
  plan: AbsenceRequest['plan'];
  reassignTo: readonly string[] | null;
  planFingerprint: string;
  steps: CarriedOutStep[];
}

/**
 * A staff member's absence: the dry run shows the plan; the real call, one absence at a time, checks under the absent
 * staff member's calendar lock that the plan is still the one shown, records the absence (from then on no command
 * lands inside it), and carries the plan out step by step through the ordinary commands, each pointing back to the
 * absence. Each step's outcome is kept as it happens, so a repeat (same absence id or Idempotency-Key) acts no more.
 */
export class StaffAbsenceService {
  private readonly errors = new HttpExceptionFilter();

  constructor(
    private readonly commands: CommandBus,
    private readonly store: EventStore,
    private readonly planner: AbsencePlanner,
    private readonly plans: AbsencePlans,
    private readonly presence: StaffPresence,
    private readonly requests: IdempotentRequests,
    private readonly locks: StaffCalendarLock,
    private readonly caughtUp: ReadModelsCaughtUp,
    private readonly timeoutMs: number,
  ) {}

  async dryRun(staffId: string, body: RecordStaffAbsenceDto) {
    const request = absenceRequest(staffId, body);
    const { steps, planFingerprint } = await this.planner.plan(request);
    await this.plans.keep(planFingerprint, steps);
    return { dryRun: true, ...request, reason: body.reason, planFingerprint, steps };
  }

  async record(staffId: string, body: RecordStaffAbsenceDto, idempotencyKey: string | null, metadata: EventMetadata): Promise<{ answer: AbsenceAnswer; replayed: boolean }> {
    const request = absenceRequest(staffId, body);
    const sentFingerprint = body.planFingerprint;
    if (!sentFingerprint)
      throw new ValidationFailedError('The real call carries out a plan: ask with ?dryRun=true first and send its planFingerprint', { field: 'planFingerprint' });
    const absenceId = body.absenceId ?? (idempotencyKey ? idFromKey(staffId, idempotencyKey) : randomUUID());
    const key = `${staffId}/${absenceId}`;
    const claim = await this.requests.claim<AbsenceAnswer, StepOutcome>(
      SCOPE,
      key,
      fingerprintOf({ ...request, absenceId, reason: body.reason, planFingerprint: sentFingerprint }),
    );
    if (claim.kind === 'answered') return { answer: claim.answer, replayed: true };
    try {
      const answer = await this.carryOut({ ...request, absenceId, reason: body.reason, planFingerprint: sentFingerprint }, claim.steps, metadata);
      // A step refused for now (503, nothing done) is left for the repeat, which carries out only such steps.
      if (answer.steps.some(({ outcome }) => isRefusedForNow(outcome))) await this.requests.leaveForRepeat(SCOPE, key);
      else await this.requests.answered(SCOPE, key, answer);
      return { answer, replayed: false };
    } catch (error) {
      await this.requests.release(SCOPE, key);
      throw error;
    }
  }

  async list(staffId: string) {
    await this.planner.staffExists(staffId);
    const { absences } = await this.presence.absencesOf(staffId);
    return { items: [...absences.values()] };
  }

  async cancel(staffId: string, absenceId: string, reason: string | null, metadata: EventMetadata) {
    const { absences, revision } = await this.presence.absencesOf(staffId);
    const events = decideAbsence({ type: 'CancelStaffAbsence', data: { absenceId, staffId, reason } }, absences);
    if (events.length > 0) {
      await this.store.appendToStream(
        staffAbsencesStream(staffId),
        events.map((event) => ({ id: randomUUID(), type: event.type, data: event.data, metadata })),
        { expectedRevision: revision },
      );
    }
    return { ...absences.get(absenceId)!, cancelled: true };
  }

  private async carryOut(absence: AbsenceToRecord, done: Map<number, StepOutcome>, metadata: EventMetadata): Promise<AbsenceAnswer> {
    const timeout = (waitingFor: string) => new CommandTimeoutError({ appointmentId: `(absence ${absence.absenceId})`, waitingFor, waitedMs: this.timeoutMs });
    return this.locks.holding({ named: 'staff-absence-planning' }, Date.now() + PLANNING_TURN_WAIT_MS, timeout, async () => {
      const recordedEventId = eventIdFor(absence.staffId, absence.absenceId);
      const steps = await this.locks.holding({ calendars: [absence.staffId] }, Date.now() + this.timeoutMs, timeout, () => this.checkAndRecord(absence, recordedEventId, metadata));
      const carriedOut: CarriedOutStep[] = [];
      for (const [index, step] of steps.entries()) {
        const outcome = done.get(index) ?? (await this.carryOutStep(step, absence, { ...metadata, causationId: recordedEventId }));
        if (!done.has(index) && !isRefusedForNow(outcome)) await this.requests.stepDone(SCOPE, `${absence.staffId}/${absence.absenceId}`, index, outcome);
        carriedOut.push({ ...step, outcome });
      }
      const { planFingerprint, absenceId, staffId, from, to, reason, plan, reassignTo } = absence;
      return { absenceId, staffId, from, to, reason, plan, reassignTo, planFingerprint, steps: carriedOut };
    });
  }

  /**
   * Under the absent staff member's calendar lock: nothing new lands on it between this plan and the record. The
   * absence already recorded (a repeat after a cut-short run) carries out the plan it was recorded with.
   */
  private async checkAndRecord(absence: AbsenceToRecord, eventId: string, metadata: EventMetadata): Promise<PlanStep[]> {
    const { absences, revision } = await this.presence.absencesOf(absence.staffId);
    if (absences.get(absence.absenceId)?.planFingerprint === absence.planFingerprint) {
      const recordedPlan = await this.plans.find(absence.planFingerprint);
      if (recordedPlan) return recordedPlan;
    }
    await this.caughtUp(this.timeoutMs, [absence.staffId]);
    const now = await this.planner.plan(absence);
    await this.plans.keep(now.planFingerprint, now.steps);
    if (now.planFingerprint !== absence.planFingerprint) {
      const planned = await this.plans.find(absence.planFingerprint);
      throw new AbsencePlanChangedError({
        planFingerprint: now.planFingerprint,
        sentFingerprint: absence.planFingerprint,
        differences: planned ? planDifferences(planned, now.steps) : [],
        ...(planned ? {} : { note: 'The planFingerprint sent is not one this ledger planned' }),
        plan: now.steps,
      });
    }
    const { absenceId, staffId, from, to, reason, plan, reassignTo, planFingerprint } = absence;
    const events = decideAbsence({ type: 'RecordStaffAbsence', data: { absenceId, staffId, from, to, reason, plan, reassignTo, planFingerprint } }, absences);
    if (events.length > 0) {
      await this.store.appendToStream(
        staffAbsencesStream(staffId),
        events.map((event) => ({ id: eventId, type: event.type, data: event.data, metadata })),
        {
          expectedRevision: revision < 0 ? 'no_stream' : revision,
        },
      );
    }
    return now.steps;
  }

  private async carryOutStep(step: PlanStep, absence: { absenceId: string; staffId: string; reason: string }, base: EventMetadata): Promise<StepOutcome> {
    const metadata: EventMetadata = {
      ...base,
      reason: `Absence ${absence.absenceId} of ${absence.staffId}: ${absence.reason}`,
      absence: { absenceId: absence.absenceId, staffId: absence.staffId },
    };
    const command =
      step.action === 'reassign'
        ? new ReassignStaff(step.appointmentId, { staffId: step.toStaffId, reason: absence.reason }, step.version, metadata)
        : new CancelAppointment(step.appointmentId, { reason: absence.reason }, step.version, metadata);
    try {
      const result: CommandResult = await this.commands.execute(command);
      return { status: 200, version: result.version };
    } catch (error) {
      const [status, body] = this.errors.describe(error);
      return { status, error: body.error };
    }
  }
}

/** 503 READ_MODEL_BEHIND / COMMAND_TIMEOUT: the step did nothing and may succeed when repeated. */
const isRefusedForNow = (outcome: StepOutcome): boolean => outcome.status === 503 && typeof outcome.error?.details.retryAfterSeconds === 'number';

function absenceRequest(staffId: string, body: RecordStaffAbsenceDto): AbsenceRequest {
  const from = new Date(body.from).toISOString();
  const to = new Date(body.to).toISOString();
  if (Date.parse(from) >= Date.parse(to)) throw new ValidationFailedError('An absence ends after it starts', { field: 'to', from: body.from, to: body.to });
  return { staffId, from, to, plan: body.plan, reassignTo: body.reassignTo ?? null };
}

const idFromKey = (staffId: string, key: string): string => `absence-${createHash('sha256').update(`${staffId}\n${key}`).digest('hex').slice(0, 40)}`;

/** The absence's recorded event has an id of its own making: recording it again is the store's idempotent no-op. */
function eventIdFor(staffId: string, absenceId: string): string {
  const hex = createHash('sha256').update(`staff-absence\n${staffId}\n${absenceId}`).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-5${hex.slice(13, 16)}-${((parseInt(hex[16], 16) & 3) | 8).toString(16)}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}
