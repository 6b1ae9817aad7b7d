/** Stable error codes: clients match on these, so they never change meaning. */
export type ErrorCode =
  | 'VALIDATION_FAILED'
  | 'NOT_FOUND'
  | 'APPOINTMENT_CANCELLED'
  | 'APPOINTMENT_EXISTS'
  | 'STAFF_UNAVAILABLE'
  | 'VERSION_CONFLICT'
  | 'UNAUTHORIZED'
  | 'FORBIDDEN';

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

export class VersionConflictError extends DomainError {
  constructor(appointmentId: string, expected: number, actual: number | null) {
    super('VERSION_CONFLICT', `Appointment ${appointmentId} is at version ${actual ?? 'none'}, not ${expected}`, {
      appointmentId,
      expectedVersion: expected,
      actualVersion: actual,
    });
  }
}
