import { DomainError } from '../errors.js';

export class DriftNotHealableError extends DomainError {
  constructor(itemId: string, reason: string) {
    super('DRIFT_NOT_HEALABLE', `Drift item ${itemId} cannot be healed that way: ${reason}`, { itemId, reason });
  }
}

/** A drift check could not read Cal.com; nothing was compared, so nothing is reported as missing. */
export class CalcomUnavailableError extends DomainError {
  constructor(message: string, details: Record<string, unknown> = {}) {
    super('CALCOM_UNAVAILABLE', `Cal.com could not be read: ${message}`, details);
  }
}
