import type { Command, Event } from '../event.js';

export type AbsencePlanKind = 'reassign' | 'cancel';

/** A staff member's absence: [from, to) in UTC, what was decided for their appointments, and the plan carried out. */
export interface StaffAbsence {
  absenceId: string;
  staffId: string;
  from: string;
  to: string;
  reason: string;
  plan: AbsencePlanKind;
  /** The colleagues the client offered, in order; null: every staff member offering the appointment's service. */
  reassignTo: readonly string[] | null;
  /** The plan (dry run) the client accepted; see absence-plan.ts. */
  planFingerprint: string;
}

export type StaffAbsenceRecorded = Event<'StaffAbsenceRecorded', StaffAbsence & Record<string, unknown>>;
export type StaffAbsenceCancelled = Event<'StaffAbsenceCancelled', { absenceId: string; staffId: string; reason: string | null }>;
export type StaffAbsenceEvent = StaffAbsenceRecorded | StaffAbsenceCancelled;

export type RecordStaffAbsence = Command<'RecordStaffAbsence', StaffAbsence & Record<string, unknown>>;
export type CancelStaffAbsence = Command<'CancelStaffAbsence', { absenceId: string; staffId: string; reason: string | null }>;
export type StaffAbsenceCommand = RecordStaffAbsence | CancelStaffAbsence;

/** One stream per staff member: every command that fills their calendar reads it under their calendar lock. */
export const staffAbsencesStream = (staffId: string): string => `staff-absences-${staffId}`;
