import { canonicalJson } from '../canonical-json.js';
import type { Decider } from '../decider.js';
import { AbsenceExistsError, NotFoundError, StaffAbsentError, ValidationFailedError } from '../errors.js';
import type { StaffAbsence, StaffAbsenceCommand, StaffAbsenceEvent } from './staff-absence.events.js';

export interface RecordedAbsence extends StaffAbsence {
  cancelled: boolean;
}

/** A staff member's absences by id, in the order they were recorded. */
export type StaffAbsences = ReadonlyMap<string, RecordedAbsence>;

export const initialAbsences = (): StaffAbsences => new Map();

export function decideAbsence(command: StaffAbsenceCommand, state: StaffAbsences): StaffAbsenceEvent[] {
  switch (command.type) {
    case 'RecordStaffAbsence': {
      const { data } = command;
      if (Date.parse(data.from) >= Date.parse(data.to)) {
        throw new ValidationFailedError('An absence ends after it starts', { field: 'to', from: data.from, to: data.to });
      }
      const known = state.get(data.absenceId);
      if (known) {
        // The same absence again (a client's retry) changes nothing; the same id for another absence is a clash.
        const { cancelled: _cancelled, ...recorded } = known;
        if (canonicalJson(recorded) === canonicalJson({ ...data })) return [];
        throw new AbsenceExistsError(data.absenceId);
      }
      return [{ type: 'StaffAbsenceRecorded', data: { ...data } }];
    }
    case 'CancelStaffAbsence': {
      const known = state.get(command.data.absenceId);
      if (!known) throw new NotFoundError('absence', command.data.absenceId);
      if (known.cancelled) return [];
      return [{ type: 'StaffAbsenceCancelled', data: command.data }];
    }
    default: {
      const unknown: never = command;
      throw new ValidationFailedError(`Unknown command ${(unknown as { type: string }).type}`);
    }
  }
}

export function evolveAbsences(state: StaffAbsences, event: StaffAbsenceEvent): StaffAbsences {
  const next = new Map(state);
  switch (event.type) {
    case 'StaffAbsenceRecorded':
      next.set(event.data.absenceId, { ...(event.data as StaffAbsence), cancelled: false });
      return next;
    case 'StaffAbsenceCancelled': {
      const known = next.get(event.data.absenceId);
      if (known) next.set(event.data.absenceId, { ...known, cancelled: true });
      return next;
    }
    default: {
      // An event type this code does not know (written by a newer version) changes nothing, as in the projections.
      const unknown: never = event;
      void unknown;
      return state;
    }
  }
}

export const staffAbsenceDecider: Decider<StaffAbsenceCommand, StaffAbsences, StaffAbsenceEvent> = {
  decide: decideAbsence,
  evolve: evolveAbsences,
  initialState: initialAbsences,
};

/** The absence (not cancelled) that [startsAt, endsAt) would fall into, if any; touching ends do not overlap. */
export function absenceDuring(state: StaffAbsences, startsAt: string, endsAt: string): RecordedAbsence | null {
  const start = Date.parse(startsAt);
  const end = Date.parse(endsAt);
  for (const absence of state.values()) {
    if (!absence.cancelled && Date.parse(absence.from) < end && Date.parse(absence.to) > start) return absence;
  }
  return null;
}

/** The rule every command that fills a calendar obeys: never inside one of the staff member's absences. */
export function assertPresent(state: StaffAbsences, staffId: string, startsAt: string, endsAt: string): void {
  const absence = absenceDuring(state, startsAt, endsAt);
  if (absence) throw new StaffAbsentError({ staffId, absenceId: absence.absenceId, from: absence.from, to: absence.to });
}
