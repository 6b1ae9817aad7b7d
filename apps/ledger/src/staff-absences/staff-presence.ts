import {
  assertPresent,
  absenceDuring,
  evolveAbsences,
  initialAbsences,
  type RecordedAbsence,
  type StaffAbsenceEvent,
  type StaffAbsences,
  staffAbsencesStream,
} from '../../../../libs/domain/src/index.js';
import type { EventStore } from '../../../../libs/event-store/src/event-store.port.js';

/**
 * A staff member's absences, folded from their own stream (always current, never a read model): every command that
 * fills a calendar asks here under that calendar's lock, so nothing lands inside an absence once it is recorded.
 */
export class StaffPresence {
  constructor(private readonly store: EventStore) {}

  async absencesOf(staffId: string): Promise<{ absences: StaffAbsences; revision: number }> {
    const events = await this.store.readStream(staffAbsencesStream(staffId));
    const absences = events.reduce((state, event) => evolveAbsences(state, { type: event.type, data: event.data } as StaffAbsenceEvent), initialAbsences());
    return { absences, revision: events.length - 1 };
  }

  async absenceDuring(staffId: string, startsAt: string, endsAt: string): Promise<RecordedAbsence | null> {
    return absenceDuring((await this.absencesOf(staffId)).absences, startsAt, endsAt);
  }

  /** Throws StaffAbsentError (409 STAFF_ABSENT) when [startsAt, endsAt) falls into one of the staff member's absences. */
  async assertPresent(staffId: string, startsAt: string, endsAt: string): Promise<void> {
    assertPresent((await this.absencesOf(staffId)).absences, staffId, startsAt, endsAt);
  }
}
