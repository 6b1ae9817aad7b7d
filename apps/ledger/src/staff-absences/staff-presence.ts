import { assertPresent, absenceDuring, type RecordedAbsence, staffAbsenceDecider, type StaffAbsences, staffAbsencesStream } from '#domain';
import { aggregateStream, type EventStore } from '#event-store';

/**
 * A staff member's absences, folded from their own stream (always current, never a read model): every command that
 * fills a calendar asks here under that calendar's lock, so nothing lands inside an absence once it is recorded.
 */
export class StaffPresence {
  constructor(private readonly store: EventStore) {}

  async absencesOf(staffId: string): Promise<{ absences: StaffAbsences; revision: number }> {
    const { state: absences, revision } = await aggregateStream(this.store, staffAbsencesStream(staffId), staffAbsenceDecider);
    return { absences, revision };
  }

  async absenceDuring(staffId: string, startsAt: string, endsAt: string): Promise<RecordedAbsence | null> {
    return absenceDuring((await this.absencesOf(staffId)).absences, startsAt, endsAt);
  }

  /** Throws StaffAbsentError (409 STAFF_ABSENT) when [startsAt, endsAt) falls into one of the staff member's absences. */
  async assertPresent(staffId: string, startsAt: string, endsAt: string): Promise<void> {
    (await this.presenceOf(staffId))(startsAt, endsAt);
  }

  /** Reads the absences now; the check it returns throws StaffAbsentError for a time inside one of them. */
  async presenceOf(staffId: string): Promise<(startsAt: string, endsAt: string) => void> {
    const { absences } = await this.absencesOf(staffId);
    return (startsAt, endsAt) => assertPresent(absences, staffId, startsAt, endsAt);
  }
}
