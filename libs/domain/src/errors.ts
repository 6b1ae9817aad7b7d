/**
 * Stable error codes: clients match on these, so they never change meaning. Refusals only HTTP can give (no token, a
 * bad webhook signature, a body too large) are the HTTP layer's: apps/ledger/src/http/transport.errors.ts.
 */
export type ErrorCode =
  | 'VALIDATION_FAILED'
  | 'NOT_FOUND'
  | 'APPOINTMENT_CANCELLED'
  | 'APPOINTMENT_EXISTS'
  | 'STAFF_UNAVAILABLE'
  | 'APPOINTMENT_STATUS_CONFLICT'
  | 'APPOINTMENT_NOT_STARTED'
  | 'VERSION_CONFLICT'
  | 'MALFORMED_WEBHOOK'
  | 'CONFLICT_RESOLVED'
  | 'FACT_NOT_FAILED'
  | 'DRIFT_NOT_HEALABLE'
  | 'CALCOM_UNAVAILABLE'
  | 'CALCOM_SLOT_UNAVAILABLE'
  | 'READ_MODEL_BEHIND'
  | 'COMMAND_TIMEOUT'
  | 'IDEMPOTENCY_KEY_REUSED'
  | 'IDEMPOTENCY_KEY_IN_USE'
  | 'STAFF_ABSENT'
  | 'ABSENCE_EXISTS'
  | 'ABSENCE_PLAN_CHANGED';

export class DomainError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = new.target.name;
  }
}

export class ValidationFailedError extends DomainError {
  constructor(message: string, details: Record<string, unknown> = {}) {
    super('VALIDATION_FAILED', message, details);
  }
}

export class NotFoundError extends DomainError {
  constructor(entity: 'appointment' | 'staff' | 'service' | string, id: string) {
    super('NOT_FOUND', `No ${entity} with id ${id}`, { entity, id });
  }
}

export class AppointmentCancelledError extends DomainError {
  constructor(appointmentId: string) {
    super('APPOINTMENT_CANCELLED', `Appointment ${appointmentId} is cancelled and can no longer change`, { appointmentId });
  }
}

export class AppointmentExistsError extends DomainError {
  constructor(appointmentId: string) {
    super('APPOINTMENT_EXISTS', `Appointment ${appointmentId} already exists with different details`, { appointmentId });
  }
}

export class StaffUnavailableError extends DomainError {
  constructor(staffId: string, conflictingAppointmentIds: readonly string[]) {
    super('STAFF_UNAVAILABLE', `Staff member ${staffId} already has an appointment at that time`, {
      staffId,
      conflictingAppointmentIds,
    });
  }
}

/** The action does not apply to the appointment's status (say, confirming one that is not `requested`). */
export class AppointmentStatusConflictError extends DomainError {
  constructor(appointmentId: string, action: string, status: string, allowedFrom: readonly string[]) {
    super('APPOINTMENT_STATUS_CONFLICT', `Appointment ${appointmentId} is ${status}: ${action} applies only to ${allowedFrom.join(', ')}`, {
      appointmentId,
      action,
      status,
      allowedFrom,
    });
  }
}

/** A no-show (or taking one back) before the appointment's start: Cal.com's mark-absent refuses it too. */
export class AppointmentNotStartedError extends DomainError {
  constructor(appointmentId: string, startsAt: string, now: string) {
    super('APPOINTMENT_NOT_STARTED', `Appointment ${appointmentId} starts at ${startsAt}: a no-show can be recorded only after the start`, {
      appointmentId,
      startsAt,
      now,
    });
  }
}

export class VersionConflictError extends DomainError {
  constructor(appointmentId: string, expected: number, actual: number | null) {
    super('VERSION_CONFLICT', `Appointment ${appointmentId} is at version ${actual ?? 'none'}, not ${expected}`, {
      appointmentId,
      expectedVersion: expected,
      actualVersion: actual,
    });
  }
}

/** Refused for now with nothing changed: the same request may succeed after `retryAfterSeconds` (HTTP `Retry-After`). */
export abstract class RetryLaterError extends DomainError {
  constructor(
    code: ErrorCode,
    message: string,
    readonly retryAfterSeconds: number,
    details: Record<string, unknown> = {},
  ) {
    super(code, message, { ...details, retryAfterSeconds });
  }
}

/**
 * The staff calendar is checked against the read models, so a change that fills it is refused while they have not
 * caught up with the event store: a stale calendar would let two overlapping bookings through.
 */
export class ReadModelBehindError extends RetryLaterError {
  constructor(details: { staffIds: readonly string[]; readModelPosition: string; storeHead: string; waitedMs: number }) {
    super(
      'READ_MODEL_BEHIND',
      `The staff calendar cannot be checked: the read models did not catch up with the event store within ${details.waitedMs} ms; nothing was changed`,
      Math.max(1, Math.ceil(details.waitedMs / 1000)),
      details,
    );
  }
}

/** A command that could not take its turn (the appointment's or a staff calendar's lock) within its time; nothing was changed. */
export class CommandTimeoutError extends RetryLaterError {
  constructor(details: { appointmentId: string; waitingFor: string; waitedMs: number }) {
    super('COMMAND_TIMEOUT', `Appointment ${details.appointmentId} was not changed: waited ${details.waitedMs} ms for ${details.waitingFor}`, 1, details);
  }
}

export class MalformedWebhookError extends DomainError {
  constructor(reason: string) {
    super('MALFORMED_WEBHOOK', `The webhook body cannot be read: ${reason}`, { reason });
  }
}

/** Only a webhook fact whose outcome is `failed` can be re-applied (once: a retry already asked for is pending). */
export class FactNotFailedError extends DomainError {
  constructor(factId: string, outcome: string | null) {
    super('FACT_NOT_FAILED', `Webhook fact ${factId} is not failed (${outcome ?? 'not applied yet'})`, { factId, outcome });
  }
}

/** The conflict is not open (resolved already, or never existed on this appointment). */
export class ConflictResolvedError extends DomainError {
  constructor(conflictId: string) {
    super('CONFLICT_RESOLVED', `Conflict ${conflictId} is not open`, { conflictId });
  }
}

/** Cal.com's `GET /v2/slots` has no slot at that start for the event type (and host): nothing was stored. */
export class CalcomSlotUnavailableError extends DomainError {
  constructor(details: { eventTypeId: number; hostUserId: number | null; startsAt: string; calcomSaid: string }) {
    super('CALCOM_SLOT_UNAVAILABLE', `Cal.com has no free slot at ${details.startsAt} for event type ${details.eventTypeId}: ${details.calcomSaid}`, details);
  }
}

/** An `Idempotency-Key` sent again with a different request: the first request's answer does not belong to this one. */
export class IdempotencyKeyReusedError extends DomainError {
  constructor(key: string) {
    super('IDEMPOTENCY_KEY_REUSED', 'This Idempotency-Key was used for a different request; send a new key for a new request', { idempotencyKey: key });
  }
}

/** The first request with this `Idempotency-Key` is still being carried out: ask again for its answer shortly. */
export class IdempotencyKeyInUseError extends RetryLaterError {
  constructor(key: string) {
    super('IDEMPOTENCY_KEY_IN_USE', 'A request with this Idempotency-Key is still being carried out; repeat it shortly for its answer', 1, { idempotencyKey: key });
  }
}

/** The staff member is recorded as absent at that time (POST /staff/{id}/absences): nothing lands inside an absence. */
export class StaffAbsentError extends DomainError {
  constructor(details: { staffId: string; absenceId: string; from: string; to: string }) {
    super('STAFF_ABSENT', `Staff member ${details.staffId} is absent from ${details.from} to ${details.to} (absence ${details.absenceId})`, details);
  }
}

export class AbsenceExistsError extends DomainError {
  constructor(absenceId: string) {
    super('ABSENCE_EXISTS', `Absence ${absenceId} already exists with different details`, { absenceId });
  }
}

/** The calendar changed between the dry run and the real call: the plan the client saw is not the one that would run. */
export class AbsencePlanChangedError extends DomainError {
  constructor(details: { planFingerprint: string; sentFingerprint: string; differences: readonly unknown[]; plan: readonly unknown[]; note?: string }) {
    super('ABSENCE_PLAN_CHANGED', 'The calendar changed since the plan was made: review the differences and send the new planFingerprint', details);
  }
}
